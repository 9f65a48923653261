using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Whether DTrace lost records: the drop and error notices it printed, and the memory scripts' per (file, function)
/// malloc totals compared with the malloc events of the log (view malloc_reconcile).
/// </summary>
public static class DropReports
{
    /// <summary>The notice kinds that mean records were lost (see the notices table in docs/schema.md).</summary>
    public static readonly IReadOnlyList<string> LossyKinds =
        ["buffer_drops", "aggregation_drops", "dynamic_variable_drops", "speculative_drops", "other_drops", "error", "aborted"];

    public static ReportTable Reconcile(SqliteConnection conn, long traceId) => Run(conn, "Reconcile",
        """
        SELECT file, function, event_bytes, aggregation_bytes, missing_bytes FROM malloc_reconcile WHERE trace_id = $trace
        ORDER BY abs(missing_bytes) DESC, file, function
        """,
        [Text("file"), Text("function"), Int("event_bytes"), Int("aggregation_bytes"), Int("missing_bytes")],
        new Dictionary<string, object?> { ["$trace"] = traceId });

    /// <summary>Lines of each notice kind, as an ordered kind → count map.</summary>
    public static SortedDictionary<string, object?> NoticeCounts(SqliteConnection conn, long traceId)
    {
        var counts = Run(conn, "Notices", "SELECT kind, lines FROM notice_counts WHERE trace_id = $trace",
            [Text("kind"), Int("lines")], new Dictionary<string, object?> { ["$trace"] = traceId });
        return new SortedDictionary<string, object?>(counts.Rows.ToDictionary(r => (string)r[0]!, r => r[1]), StringComparer.Ordinal);
    }

    /// <summary>The loss notices printed (kind → lines) and whether any aggregation total disagrees with the events.</summary>
    public static (IReadOnlyDictionary<string, object?> LossNotices, bool TotalsDisagree) Evidence(SqliteConnection conn, long traceId)
    {
        var loss = NoticeCounts(conn, traceId).Where(kv => LossyKinds.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        bool disagree = Reconcile(conn, traceId).Rows.Any(r => (long)r[4]! != 0);
        return (loss, disagree);
    }

    public static bool DroppedRecordsSuspected(SqliteConnection conn, long traceId)
    {
        var (loss, disagree) = Evidence(conn, traceId);
        return disagree || loss.Count > 0;
    }

    /// <summary>The summary's columns plus notices (kind → lines) and dropped_records_suspected.</summary>
    public static ReportTable WithDropColumns(SqliteConnection conn, long traceId, ReportTable summary)
    {
        var columns = summary.Columns.Append(new ReportColumn("notices", ColumnType.Any)).Append(Bool("dropped_records_suspected")).ToList();
        var rows = summary.Rows.Select(r => r.Append(NoticeCounts(conn, traceId)).Append(DroppedRecordsSuspected(conn, traceId)).ToArray()).ToList();
        return summary with { Columns = columns, Rows = rows };
    }

    /// <summary>What reconcile concludes, in one or two plain sentences.</summary>
    public static string Verdict(SqliteConnection conn, long traceId)
    {
        var rows = Reconcile(conn, traceId).Rows;
        var (loss, _) = Evidence(conn, traceId);
        string notices = loss.Count == 0
            ? "DTrace printed no drop or error notice."
            : "DTrace notices: " + string.Join(", ", loss.Select(kv => $"{kv.Value} × {kv.Key}")) + ".";
        if (rows.Count == 0)
            return "Nothing to reconcile: the trace has no per-(file, function) malloc totals (the py_flow_malloc_free.d sections). " + notices;
        var missing = rows.Where(r => (long)r[4]! != 0).ToList();
        if (missing.Count == 0)
            return loss.Count == 0
                ? $"All {rows.Count} aggregation totals equal the malloc events: no sign of dropped records."
                : $"All {rows.Count} aggregation totals equal the malloc events, but {notices} Reports may still be incomplete.";
        long bytes = missing.Sum(r => (long)r[4]!);
        return $"DTRACE DROPPED RECORDS: {missing.Count} of {rows.Count} (file, function) totals disagree with the malloc events " +
               $"({bytes} bytes missing from the log). Leak and total reports built on this trace are not reliable. {notices}";
    }
}
