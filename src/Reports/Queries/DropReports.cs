using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
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

    /// <summary>Everything the trace says about lost records, gathered once.</summary>
    public sealed record LossAssessment(
        IReadOnlyDictionary<string, object?> Notices,
        IReadOnlyDictionary<string, object?> LossNotices,
        int ReconciledTotals,
        int DisagreeingTotals,
        long MissingBytes)
    {
        public bool DroppedRecordsSuspected => DisagreeingTotals > 0 || LossNotices.Count > 0;
        public long LossNoticeLines => LossNotices.Values.Sum(v => Convert.ToInt64(v));
    }

    public static LossAssessment Assess(SqliteConnection conn, long traceId)
    {
        var notices = NoticeCounts(conn, traceId);
        var loss = notices.Where(kv => LossyKinds.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var rows = Reconcile(conn, traceId).Rows;
        var missing = rows.Where(r => (long)r[4]! != 0).ToList();
        return new LossAssessment(notices, loss, rows.Count, missing.Count, Saturating.Sum(missing.Select(r => (long)r[4]!)));
    }

    /// <summary>The summary's columns plus notices (kind → lines) and dropped_records_suspected.</summary>
    public static ReportTable WithDropColumns(SqliteConnection conn, long traceId, ReportTable summary)
    {
        var loss = Assess(conn, traceId);
        var columns = summary.Columns.Append(new ReportColumn("notices", ColumnType.Any)).Append(Bool("dropped_records_suspected")).ToList();
        var rows = summary.Rows.Select(r => r.Append(loss.Notices).Append(loss.DroppedRecordsSuspected).ToArray()).ToList();
        return summary with { Columns = columns, Rows = rows };
    }

    /// <summary>What reconcile concludes, in one or two plain sentences.</summary>
    public static string Verdict(LossAssessment loss)
    {
        string notices = loss.LossNotices.Count == 0
            ? "DTrace printed no drop or error notice."
            : "DTrace notices: " + string.Join(", ", loss.LossNotices.Select(kv => $"{kv.Value} × {kv.Key}")) + ".";
        if (loss.ReconciledTotals == 0)
            return "Nothing to reconcile: the trace has no per-(file, function) malloc totals (the py_flow_malloc_free.d sections). " + notices;
        if (loss.DisagreeingTotals == 0)
            return loss.LossNotices.Count == 0
                ? $"All {loss.ReconciledTotals} aggregation totals equal the malloc events: no sign of dropped records."
                : $"All {loss.ReconciledTotals} aggregation totals equal the malloc events, but {notices} Reports may still be incomplete.";
        return $"DTRACE DROPPED RECORDS: {loss.DisagreeingTotals} of {loss.ReconciledTotals} (file, function) totals disagree with the malloc events " +
               $"({loss.MissingBytes} bytes missing from the log). Leak and total reports built on this trace are not reliable. {notices}";
    }
}
