using Dapper;
using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>A table of the HTML report, with how many rows the full report has when only the first ones are shown.</summary>
public sealed record ReportPart(string Id, ReportTable Table, long TotalRows, string? FullCommand = null)
{
    public bool Truncated => TotalRows > Table.Rows.Count;
}

/// <summary>
/// Every table the one-file HTML report shows for a trace, read from the store. Long tables are cut to their first rows
/// (largest first) so that the page stays small for million-event traces; each says how to get the rest.
/// </summary>
public sealed record TraceReportData(
    TraceCatalog.TraceInfo Trace,
    ReportTable Import,
    ReportTable Summary,
    ReportTable Timeline,
    IReadOnlyList<ReportPart> Parts,
    IReadOnlyList<FlameWeight> Flame,
    ReportTable Pids,
    TraceComparison? Comparison = null)
{
    /// <summary>What was live at the peak, by site (file, line, function, bytes, blocks), largest first.</summary>
    public ReportTable PeakHolders => Blocks.PeakBySite;

    /// <summary>Blocks live right after the peak event (summary's peak_blocks is the most blocks ever live, which may come at another moment).</summary>
    public long PeakLiveBlocks => Blocks.Peak?.Blocks ?? 0;

    public const int TimelinePoints = 2000, MaxRows = 1000, MaxBlocks = 1000;

    public ReportPart Part(string id) => Parts.First(p => p.Id == id);

    /// <summary>The flame graph's weight <paramref name="id"/> (requested, leaked, peak), when the trace has call stacks.</summary>
    public FlameWeight? Weight(string id) => Flame.FirstOrDefault(w => w.Id == id);

    /// <summary>The report of <paramref name="traceId"/>, compared with <paramref name="baseId"/> when given (report --base).</summary>
    public static TraceReportData Load(SqliteConnection conn, long traceId, long? baseId) =>
        Load(conn, traceId) with { Comparison = baseId is { } b ? TraceComparison.Load(conn, b, traceId, MaxRows) : null };

    /// <summary>Issue 13's block reports: leaks by stack, the peak's holders, per-site timeline, growth.</summary>
    public required BlockReportData Blocks { get; init; }

    public static TraceReportData Load(SqliteConnection conn, long traceId)
    {
        var trace = TraceCatalog.Resolve(conn, traceId);
        var args = new Dictionary<string, object?> { ["$trace"] = traceId, ["$top"] = MaxRows };
        long Count(string sql) => conn.ExecuteScalar<long>(sql, new { trace = traceId });
        var parts = new List<ReportPart>
        {
            new("warnings", Warnings(conn, traceId), 0),
            new("notices", Run(conn, "DTrace notices", "SELECT line, text FROM notes WHERE trace_id = $trace AND kind = 'notice' ORDER BY line LIMIT $top",
                [Int("line"), Text("text")], args), Count("SELECT count(*) FROM notes WHERE trace_id = @trace AND kind = 'notice'")),
            new("unparsed", Run(conn, "Unparsed lines", "SELECT line, text FROM unparsed WHERE trace_id = $trace ORDER BY line LIMIT $top",
                [Int("line"), Text("text")], args), Count("SELECT count(*) FROM unparsed WHERE trace_id = @trace"), $"pmanalyze query \"SELECT * FROM unparsed WHERE trace_id = {traceId}\""),
            new("leaks", MemoryReports.LeakSites(conn, traceId, MaxRows), Count("SELECT count(*) FROM leak_sites WHERE trace_id = @trace"), $"pmanalyze leaks --trace {traceId}"),
            new("blocks", MemoryReports.LeakedBlocks(conn, traceId, MaxBlocks), Count("SELECT count(*) FROM events WHERE trace_id = @trace AND leaked = 1"), $"pmanalyze leaks --by pointer --trace {traceId}"),
            new("functions", MemoryReports.Functions(conn, traceId, MaxRows), Count("SELECT count(*) FROM function_totals_stored WHERE trace_id = @trace"), $"pmanalyze functions --trace {traceId}"),
            new("reallocs", MemoryReports.Reallocs(conn, traceId, MaxRows), Count("SELECT count(*) FROM realloc_chains WHERE trace_id = @trace"), $"pmanalyze reallocs --trace {traceId}"),
            new("sizes", SizesReport.Buckets(conn, traceId), 0),
            CountedPart("temporary", TemporaryReport.Sites(conn, traceId, MaxRows), () => Count("SELECT count(*) FROM temporary_sites WHERE trace_id = @trace"), $"pmanalyze temporary --trace {traceId}"),
        };
        // a stack on an allocation (the call-stack mode's, or a native one printed with the event): from the contexts
        // kept at import, not a scan of the events
        bool hasStacks = Count("SELECT EXISTS (SELECT 1 FROM context_totals WHERE trace_id = @trace AND stack_id IS NOT NULL)") == 1;
        var blocks = BlockReportData.Load(conn, traceId);   // the peak's one replay serves the verdict, its tables and the flame graph
        IReadOnlyList<FlameWeight> flame = [];
        if (hasStacks)
        {
            FlameWeight requested = FlameWeights.Requested(conn, traceId), leaked = FlameWeights.Leaked(conn, traceId),
                atPeak = FlameWeights.Weight("peak", "live at peak", "blocks", "bytes live at the peak, by the stack that allocated them: what held the most memory", blocks.PeakFlame);
            // what never came back first, when something did not: the leak is what the reader came for
            flame = leaked.TotalBytes > 0 ? [leaked, atPeak, requested] : [requested, atPeak, leaked];
        }
        return new TraceReportData(trace, ImportFacts(conn, traceId), MemoryReports.Summary(conn, traceId),
            TimelineReport.Total(conn, traceId, TimelinePoints), parts, flame, PidBreakdown.For(conn, traceId)) { Blocks = blocks };
    }

    static ReportTable ImportFacts(SqliteConnection conn, long traceId) => Run(conn, "Import",
        """
        SELECT id AS trace, name, source, bytes AS file_bytes, sha256, imported_at, tool_version, lines, events, flow_lines, notes,
               unparsed_lines, aggregations
        FROM traces WHERE id = $trace
        """,
        [Int("trace"), Text("name"), Text("source"), Int("file_bytes"), Text("sha256"), Text("imported_at"), Text("tool_version"),
         Int("lines"), Int("events"), Int("flow_lines"), Int("notes"), Int("unparsed_lines"), Int("aggregations")],
        new Dictionary<string, object?> { ["$trace"] = traceId }, asObject: true);

    /// <summary>A part whose rows are all there when fewer than the cut came back: its count is then not queried again.</summary>
    static ReportPart CountedPart(string id, ReportTable table, Func<long> count, string fullCommand) =>
        new(id, table, table.Rows.Count < MaxRows ? table.Rows.Count : count(), fullCommand);

    /// <summary>What a reader should know before trusting the numbers: a log not read whole, lost frees, frees of unknown blocks, DTrace drops, unread lines.</summary>
    static ReportTable Warnings(SqliteConnection conn, long traceId)
    {
        var events = WarningsFromEvents(conn, traceId);
        var loss = DropReports.Assess(conn, traceId);
        var rows = events.Rows.ToList();
        if (InputProblem(conn, traceId) is { } problem) rows.Insert(0, ["log not whole", 1L, problem]);
        if (loss.LossNoticeLines > 0)
            rows.Add(["DTrace drop and error notices", loss.LossNoticeLines, "DTrace reported lost records: events are missing from the log, and leak and total reports may be incomplete"]);
        if (loss.DisagreeingTotals > 0)
            rows.Add(["DTrace totals that disagree with the events", (long)loss.DisagreeingTotals, DropReports.Verdict(loss) + " See 'pmanalyze reconcile'."]);
        return events with { Rows = rows };
    }

    static string? InputProblem(SqliteConnection conn, long traceId)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT input_problem FROM traces WHERE id = $trace";
        cmd.Parameters.AddWithValue("$trace", traceId);
        return cmd.ExecuteScalar() as string;
    }

    static ReportTable WarningsFromEvents(SqliteConnection conn, long traceId) => Run(conn, "Warnings",
        """
        SELECT warning, count, detail FROM (
            SELECT 1 AS k, 'missed frees' AS warning, missed_frees AS count,
                   'a (re)allocation returned a pointer that was still live: its free is not in the log (DTrace dropped it?); the old block was dropped from the live total, not counted as freed' AS detail
            FROM trace_summary_stored WHERE trace_id = $trace
            UNION ALL
            SELECT 2, 'unknown frees', unknown_frees,
                   'free of a pointer that was not live: allocated before tracing started, or its allocation was lost'
            FROM trace_summary_stored WHERE trace_id = $trace
            UNION ALL
            SELECT 4, 'unparsed lines', unparsed_lines, 'lines inside BEGIN..END that are not memory events nor flow lines'
            FROM trace_summary_stored WHERE trace_id = $trace)
        WHERE count > 0 ORDER BY k
        """,
        [Text("warning"), Int("count"), Text("detail")], new Dictionary<string, object?> { ["$trace"] = traceId });
}
