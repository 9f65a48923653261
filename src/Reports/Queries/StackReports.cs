using Dapper;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Requested bytes (allocations and reallocs) by call stack, root first. From the Python call stacks of a flow trace
/// (what view stack_totals gives: for the whole trace from context_totals, kept at import; with a filter in one scan of the events) when the trace has them, else from aggregations keyed by a stack()/ustack() (py_mallocstk.d):
/// a scalar gives its value, a table its printed total, or Σ bucket × count (a lower bound) when it has none.
/// </summary>
public static class StackReports
{
    public const string NoStack = "[no stack]";

    /// <summary>
    /// Columns: stack (frames joined by ';'), frames (list, root first), events, bytes; largest first. Native frames
    /// 'module`function+0x1c' count as their function 'module`function' (so one function's call sites merge) unless
    /// <paramref name="keepOffsets"/>. A filter (pid, exclusions, window) applies to the call-stack mode's events.
    /// </summary>
    public static ReportTable Stacks(SqliteConnection conn, long traceId, int? top, bool keepOffsets = false, ResolvedFilter? filter = null)
    {
        var rows = HasFlowStacks(conn, traceId)
            ? FromEvents(conn, filter ?? EventFilter.None.Resolve(conn, traceId), top)
            : keepOffsets ? FromAggregations(conn, traceId) : WithoutOffsets(FromAggregations(conn, traceId));
        var sorted = rows.OrderByDescending(r => (long)r[3]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal);
        return new ReportTable("Stacks",
            [Text("stack"), new ReportColumn("frames", ColumnType.Any), Int("events"), Int("bytes")],
            (top is > 0 ? sorted.Take(top.Value) : sorted).ToList()) { DropFirst = ["frames"] }; // frames repeats stack
    }

    /// <summary>Native frames 'module`function+0x1c' as their function: one function's call sites merge.</summary>
    static IEnumerable<object?[]> WithoutOffsets(IEnumerable<object?[]> rows) => rows
        .Select(r => Row(((string)r[0]!).Split(';').Select(f => NativeOffset.Replace(f, "")).ToList(), (long)r[2]!, (long)r[3]!))
        .GroupBy(r => (string)r[0]!).Select(g => new[] { g.First()[0], g.First()[1], g.Sum(r => (long)r[2]!), Saturating.Sum(g.Select(r => (long)r[3]!)) });

    static bool HasFlowStacks(SqliteConnection conn, long traceId) =>
        Run(conn, "", "SELECT 1 FROM context_totals WHERE trace_id = $trace AND stack_id IS NOT NULL LIMIT 1", [Int("x")], Args(traceId)).Rows.Count > 0;

    static readonly System.Text.RegularExpressions.Regex NativeOffset = new(@"\+0x[0-9a-fA-F]+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Requested bytes of the window's events that the filter keeps (by their own pid, site and stack), by stack. With
    /// --top, paths are built only for the stacks that can make the cut (the top bytes and their ties).
    /// </summary>
    static IEnumerable<object?[]> FromEvents(SqliteConnection conn, ResolvedFilter f, int? top)
    {
        var totals = new Dictionary<long, (long Events, long Bytes)>();
        if (f.From == 1 && f.To == f.Events && !f.Filters)   // the whole trace: its (site, stack) totals kept at import
            foreach (var c in conn.Query<(long Stack, long Allocs, long Bytes)>(
                         "SELECT coalesce(stack_id, 0), allocs, bytes_allocated FROM context_totals WHERE trace_id = @t", new { t = f.TraceId }))
            {
                var t = totals.GetValueOrDefault(c.Stack);
                totals[c.Stack] = (t.Events + c.Allocs, Saturating.Add(t.Bytes, c.Bytes));
            }
        else RowScan.Each(conn, "SELECT pid, site_id, coalesce(stack_id, 0), size FROM events WHERE id BETWEEN ?1 AND ?2 AND kind <> 'free'",
            f.IdOf(f.From), f.IdOf(f.To), r =>
            {
                if (!f.KeepsEvent((int)r[0], r[1], r[2])) return;
                var t = totals.GetValueOrDefault(r[2]);
                totals[r[2]] = (t.Events + 1, Saturating.Add(t.Bytes, r[3]));
            });
        IEnumerable<KeyValuePair<long, (long Events, long Bytes)>> wanted = totals;
        if (top is > 0 && totals.Count > top)
        {
            long cut = totals.Values.Select(t => t.Bytes).OrderDescending().ElementAt(top.Value - 1);
            wanted = totals.Where(kv => kv.Value.Bytes >= cut);
        }
        var stacks = new StackFrames(conn, wanted.Select(kv => kv.Key));
        return wanted.Select(kv =>
        {
            var path = stacks.PathOf(kv.Key);
            return new object?[] { path, new FrameList(path), kv.Value.Events, kv.Value.Bytes };
        }).ToList();
    }

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
        // The LIKE finds the JSON escape of a newline; a key with a backslash and an n of its own (C:\new) matches too
        // and holds no stack: left out here.
        return tables.Rows
            .Select(r => (Key: JsonSerializer.Deserialize<List<string>>((string)r[0]!)!, Row: r))
            .Where(k => k.Key.Any(part => part.Contains('\n')))
            .Select(k =>
            {
                var (key, r) = k;
                var stack = key.Last(part => part.Contains('\n'));
                var frames = stack.Split('\n').Reverse().Concat(key.Where(part => !part.Contains('\n'))).ToArray();
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
