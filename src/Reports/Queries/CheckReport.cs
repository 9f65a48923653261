using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Reports.Rendering;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>The limits a CI gate can set; null means not checked. A log that is not whole fails unless allowed.</summary>
public sealed record CheckLimits(long? MaxLeakedBytes, long? MaxLeakedBlocks, long? MaxPeakBytes, long? MaxGrowthBytes, bool FailOnDrops)
{
    /// <summary>No site (file, line, function) may hold more than this many never-freed bytes (pytest-memray's limit_leaks, per site).</summary>
    public long? MaxSiteLeakedBytes { get; init; }

    /// <summary>No call stack may hold more than this many never-freed bytes (limit_leaks per stack; needs the call-stack mode).</summary>
    public long? MaxStackLeakedBytes { get; init; }

    /// <summary>A log cut short or damaged passes the gate (its rows say so); by default it fails it.</summary>
    public bool AllowIncomplete { get; init; }

    public bool Any => MaxLeakedBytes is not null || MaxLeakedBlocks is not null || MaxPeakBytes is not null || MaxGrowthBytes is not null
                       || FailOnDrops || MaxSiteLeakedBytes is not null || MaxStackLeakedBytes is not null;
}

/// <summary>
/// Evaluates CI limits against a trace: one row per limit with the measured value, the allowed maximum and whether it holds.
/// Growth is the change of leaked (outstanding) bytes against a base trace. Drops are missed frees (a pointer returned
/// while still live: its free was lost), DTrace's own drop and error notices, DTrace totals that disagree with
/// the events (reconcile): the same evidence as summary's dropped_records_suspected; and a log not read whole or
/// cut short before dtrace:::END (summary's input_complete), which lost the events after the cut. A log not whole is
/// also a limit of its own (whole-log), always checked: its "leaks" may be blocks still in use when the log stopped.
/// Per-site and per-stack limits name every site or stack over the limit, the largest first.
/// </summary>
public static class CheckReport
{
    /// <summary>Sites or stacks named in a broken per-site or per-stack limit's detail; the rest are counted.</summary>
    public const int NamedOffenders = 3, StackFramesShown = 6;

    sealed record Totals(long Bytes_Outstanding, long Leaked_Blocks, long Peak_Bytes, long Missed_Frees, string? Input_Problem);

    sealed record Offender(string Name, long Bytes, long Blocks);

    public static ReportTable Evaluate(SqliteConnection conn, long traceId, long? baseId, CheckLimits limits)
    {
        var now = TotalsOf(conn, traceId);
        var rows = new List<object?[]>();
        void Add(string name, long value, long allowed, string detail) => rows.Add([name, value, allowed, value <= allowed, detail]);
        long pids = BlockReports.Pids(conn, traceId);
        string summed = pids > 1 ? $" ({pids} pids added up)" : "";   // a trace's totals are never silently several processes
        if (limits.MaxLeakedBytes is { } lb) Add("max-leaked-bytes", now.Bytes_Outstanding, lb, $"{Size(now.Bytes_Outstanding)} never freed{summed}, {Size(lb)} allowed");
        if (limits.MaxLeakedBlocks is { } lk) Add("max-leaked-blocks", now.Leaked_Blocks, lk, $"blocks never freed{summed}");
        if (limits.MaxPeakBytes is { } pk) Add("max-peak-bytes", now.Peak_Bytes, pk, $"largest live total {Size(now.Peak_Bytes)}{summed}, {Size(pk)} allowed");
        if (limits.MaxGrowthBytes is { } gr)
        {
            var before = TotalsOf(conn, baseId ?? throw new ArgumentException("--max-growth-bytes needs --base TRACE"));
            Add("max-growth-bytes", now.Bytes_Outstanding - before.Bytes_Outstanding, gr,
                $"leaked bytes {now.Bytes_Outstanding} against {before.Bytes_Outstanding} in trace {baseId}");
        }
        if (limits.MaxSiteLeakedBytes is { } site)
            Add("max-site-leaked-bytes", SiteOffenders(conn, traceId, site, out var detail), site, detail);
        if (limits.MaxStackLeakedBytes is { } stack)
        {
            if (HasStacks(conn, traceId))
                Add("max-stack-leaked-bytes", StackOffenders(conn, traceId, stack, out var detail), stack, detail);
            else
                rows.Add(["max-stack-leaked-bytes", null, stack, false,
                    "the trace has no call stacks, so this limit cannot be checked: record with -D PYTHON_CALL_STACK, or use --max-site-leaked-bytes"]);
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
        long notWhole = now.Input_Problem is null ? 0 : 1;
        Add("whole-log", notWhole, limits.AllowIncomplete ? 1 : 0, now.Input_Problem is { } why
            ? (limits.AllowIncomplete ? "allowed by --allow-incomplete: " : "the log is not whole (--allow-incomplete lets it pass): ") + why
            : "the log was read whole, from dtrace:::BEGIN to its END");
        return new ReportTable("Check", [Text("limit"), Int("value"), Int("allowed"), Bool("ok"), Text("detail")], rows);
    }

    /// <summary>The limits an evaluated check broke, by name; none means the check passed.</summary>
    public static IReadOnlyList<string> Broken(ReportTable check) =>
        check.Rows.Where(r => r[check.IndexOf("ok")] is false).Select(r => (string)r[check.IndexOf("limit")]!).ToList();

    /// <summary>The largest site's leaked bytes; the detail names each site over the limit.</summary>
    static long SiteOffenders(SqliteConnection conn, long traceId, long limit, out string detail)
    {
        var sites = conn.Query<Offender>(
            """
            SELECT file || ':' || line || ' ' || function AS name, bytes, count AS blocks FROM leak_sites
            WHERE trace_id = @traceId ORDER BY bytes DESC, file, line, function
            """, new { traceId }).ToList();
        detail = Offenders(sites, limit, "site", "sites");
        return sites.Count == 0 ? 0 : sites[0].Bytes;
    }

    /// <summary>The largest stack's leaked bytes (frames root first, ';' between them); the detail names each stack over the limit.</summary>
    static long StackOffenders(SqliteConnection conn, long traceId, long limit, out string detail)
    {
        var stacks = FlameWeights.LeakStacks(conn, traceId).Select(s => new Offender(s.Path, s.Bytes, s.Blocks)).ToList();
        detail = Offenders(stacks.Select(s => s with { Name = Innermost(s.Name) }).ToList(), limit, "stack", "stacks");
        return stacks.Count == 0 ? 0 : stacks[0].Bytes;
    }

    /// <summary>A stack's innermost frames, where the leak was made: "… 9 frames;a.py:f;b.py:g".</summary>
    static string Innermost(string path)
    {
        var frames = path.Split(';');
        return frames.Length <= StackFramesShown ? path : $"… {frames.Length - StackFramesShown} frames;" + string.Join(";", frames[^StackFramesShown..]);
    }

    static string Offenders(List<Offender> all, long limit, string one, string many)
    {
        var over = all.Where(o => o.Bytes > limit).ToList();
        if (over.Count == 0)
            return all.Count == 0 ? $"no {one} leaked" : $"every {one} within {Size(limit)}; the largest, {all[0].Name}, leaked {Size(all[0].Bytes)}";
        var named = over.Take(NamedOffenders).Select(o => $"{o.Name} leaked {Size(o.Bytes)} in {o.Blocks} block{(o.Blocks == 1 ? "" : "s")}");
        string rest = over.Count > NamedOffenders ? $"; and {over.Count - NamedOffenders} more" : "";
        return $"{over.Count} {(over.Count == 1 ? one : many)} over {Size(limit)}: {string.Join("; ", named)}{rest}";
    }

    static bool HasStacks(SqliteConnection conn, long traceId) => conn.ExecuteScalar<long>(
        "SELECT EXISTS (SELECT 1 FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id WHERE t.id = @traceId AND e.stack_id IS NOT NULL)",
        new { traceId }) == 1;

    /// <summary>"4,103 bytes" or "1.5 MiB (1,572,864 bytes)": the exact count, with the reading beside it when it helps.</summary>
    static string Size(long bytes) => bytes < 1024
        ? FormattableString.Invariant($"{bytes:N0} byte{(bytes == 1 ? "" : "s")}")
        : FormattableString.Invariant($"{ByteUnits.Format(bytes)} ({bytes:N0} bytes)");

    static Totals TotalsOf(SqliteConnection conn, long traceId) => conn.QueryFirst<Totals>(
        "SELECT bytes_outstanding, leaked_blocks, peak_bytes, missed_frees, input_problem FROM trace_summary_stored WHERE trace_id = @traceId", new { traceId });
}
