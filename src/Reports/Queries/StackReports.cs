using System.Text.Json;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Requested bytes (allocations and reallocs) by call stack, root first. From the Python call stacks of a flow trace
/// (view stack_totals) when the trace has them, else from aggregations keyed by a stack()/ustack() (py_mallocstk.d):
/// a scalar gives its value, a table its printed total, or Σ bucket × count (a lower bound) when it has none.
/// </summary>
public static class StackReports
{
    public const string NoStack = "[no stack]";

    /// <summary>Columns: stack (frames joined by ';'), frames (list, root first), events, bytes; largest first.</summary>
    public static ReportTable Stacks(SqliteConnection conn, long traceId, int? top)
    {
        var rows = HasFlowStacks(conn, traceId) ? FromEvents(conn, traceId) : FromAggregations(conn, traceId);
        var sorted = rows.OrderByDescending(r => (long)r[3]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal);
        return new ReportTable("Stacks",
            [Text("stack"), new ReportColumn("frames", ColumnType.Any), Int("events"), Int("bytes")],
            (top is > 0 ? sorted.Take(top.Value) : sorted).ToList());
    }

    static bool HasFlowStacks(SqliteConnection conn, long traceId) =>
        Run(conn, "", "SELECT 1 FROM events WHERE trace_id = $trace AND stack_id IS NOT NULL LIMIT 1", [Int("x")], Args(traceId)).Rows.Count > 0;

    static IEnumerable<object?[]> FromEvents(SqliteConnection conn, long traceId) =>
        Run(conn, "", "SELECT path, allocs + reallocs, bytes FROM stack_totals WHERE trace_id = $trace",
                [Text("path"), Int("events"), Int("bytes")], Args(traceId)).Rows
            .Select(r => Row(((string)r[0]!).Split(';'), (long)r[1]!, (long?)r[2] ?? 0));

    static IEnumerable<object?[]> FromAggregations(SqliteConnection conn, long traceId)
    {
        var tables = Run(conn, "",
            $"""
            SELECT t.key, t.kind, t.total,
                   (SELECT {SaturatingSumSql.Of("b.value * b.count")} FROM agg_buckets b WHERE b.table_id = t.id AND b.bound IS NULL),
                   (SELECT {SaturatingSumSql.Of("b.count")} FROM agg_buckets b WHERE b.table_id = t.id)
            FROM agg_tables t WHERE t.trace_id = $trace AND t.key LIKE '%\n%' ESCAPE '!'
            """,
            [Text("key"), Text("kind"), Int("total"), Int("weighted"), Int("count")], Args(traceId));
        return tables.Rows
            .Select(r =>
            {
                var key = JsonSerializer.Deserialize<List<string>>((string)r[0]!)!;
                var stack = key.Last(k => k.Contains('\n'));
                var frames = stack.Split('\n').Reverse().Concat(key.Where(k => !k.Contains('\n'))).ToArray();
                long bytes = (long?)r[2] ?? (long?)r[3] ?? 0;
                long events = (string)r[1]! == "scalar" ? 0 : (long?)r[4] ?? 0;
                return (Frames: frames, Events: events, Bytes: bytes);
            })
            .GroupBy(s => string.Join(";", s.Frames))
            .Select(g => Row(g.First().Frames, Saturating.Sum(g.Select(s => s.Events)), Saturating.Sum(g.Select(s => s.Bytes))));
    }

    static object?[] Row(IReadOnlyList<string> frames, long events, long bytes)
    {
        var clean = frames.Select(f => f.Replace(';', ':')).ToList();
        return [string.Join(";", clean), clean.Cast<object?>().ToList(), events, bytes];
    }

    static Dictionary<string, object?> Args(long traceId) => new() { ["$trace"] = traceId };
}
