using Dapper;
using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>The limits a CI gate can set; null means not checked.</summary>
public sealed record CheckLimits(long? MaxLeakedBytes, long? MaxLeakedBlocks, long? MaxPeakBytes, long? MaxGrowthBytes, bool FailOnDrops)
{
    public bool Any => MaxLeakedBytes is not null || MaxLeakedBlocks is not null || MaxPeakBytes is not null || MaxGrowthBytes is not null || FailOnDrops;
}

/// <summary>
/// Evaluates CI limits against a trace: one row per limit with the measured value, the allowed maximum and whether it holds.
/// Growth is the change of leaked (outstanding) bytes against a base trace. Drops are missed frees (a pointer returned
/// while still live: its free was lost), DTrace's own drop and error notices, DTrace totals that disagree with
/// the events (reconcile): the same evidence as summary's dropped_records_suspected; and a log not read whole or
/// cut short before dtrace:::END (summary's input_complete), which lost the events after the cut.
/// </summary>
public static class CheckReport
{
    sealed record Totals(long Bytes_Outstanding, long Leaked_Blocks, long Peak_Bytes, long Missed_Frees, string? Input_Problem);

    public static ReportTable Evaluate(SqliteConnection conn, long traceId, long? baseId, CheckLimits limits)
    {
        var now = TotalsOf(conn, traceId);
        var rows = new List<object?[]>();
        void Add(string name, long value, long allowed, string detail) => rows.Add([name, value, allowed, value <= allowed, detail]);
        if (limits.MaxLeakedBytes is { } lb) Add("max-leaked-bytes", now.Bytes_Outstanding, lb, "bytes never freed");
        if (limits.MaxLeakedBlocks is { } lk) Add("max-leaked-blocks", now.Leaked_Blocks, lk, "blocks never freed");
        if (limits.MaxPeakBytes is { } pk) Add("max-peak-bytes", now.Peak_Bytes, pk, "largest live total");
        if (limits.MaxGrowthBytes is { } gr)
        {
            var before = TotalsOf(conn, baseId ?? throw new ArgumentException("--max-growth-bytes needs --base TRACE"));
            Add("max-growth-bytes", now.Bytes_Outstanding - before.Bytes_Outstanding, gr,
                $"leaked bytes {now.Bytes_Outstanding} against {before.Bytes_Outstanding} in trace {baseId}");
        }
        if (limits.FailOnDrops)
        {
            var loss = DropReports.Assess(conn, traceId);
            long incomplete = now.Input_Problem is null ? 0 : 1;
            Add("fail-on-drops", now.Missed_Frees + loss.LossNoticeLines + loss.DisagreeingTotals + incomplete, 0,
                $"{now.Missed_Frees} missed frees, {loss.LossNoticeLines} DTrace drop or error notices, " +
                $"{loss.DisagreeingTotals} DTrace totals that disagree with the events ({loss.MissingBytes} bytes missing)" +
                (now.Input_Problem is { } problem ? $", log not whole: {problem}" : ""));
        }
        return new ReportTable("Check", [Text("limit"), Int("value"), Int("allowed"), Bool("ok"), Text("detail")], rows);
    }

    /// <summary>The limits an evaluated check broke, by name; none means the check passed.</summary>
    public static IReadOnlyList<string> Broken(ReportTable check) =>
        check.Rows.Where(r => r[check.IndexOf("ok")] is false).Select(r => (string)r[check.IndexOf("limit")]!).ToList();

    static Totals TotalsOf(SqliteConnection conn, long traceId) => conn.QueryFirst<Totals>(
        "SELECT bytes_outstanding, leaked_blocks, peak_bytes, missed_frees, input_problem FROM trace_summary_stored WHERE trace_id = @traceId", new { traceId });
}
