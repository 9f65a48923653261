using Microsoft.Data.Sqlite;
using PyMemTrace.Plots;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Reports.Rendering.Html;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// Every report of one trace, in process, through the calls and renderers the commands use (summary, leaks by site and by
/// pointer, functions, reallocs, sizes, temporary, timeline total and per pid, aggregations, reconcile, stacks, check,
/// leaks, growth, peak and functions in a window, the HTML report with its figures, and every view of the schema read
/// whole): for tests that ask "can every report
/// read this trace?" of many traces, where a process per report would be too slow.
/// </summary>
public static class EveryReport
{
    /// <summary>
    /// The named report tables of the trace (the HTML report and the views are read but not returned). Without
    /// <paramref name="figures"/> the HTML report is written without its SVG figures, which cost most of the time.
    /// </summary>
    public static IReadOnlyList<(string Name, ReportTable Table)> Read(SqliteConnection conn, long traceId, bool figures = true)
    {
        var tables = new List<(string, ReportTable)>
        {
            ("summary", MemoryReports.Summary(conn, traceId)),
            ("leaks", MemoryReports.LeakSites(conn, traceId, null)),
            ("leaks --by pointer", MemoryReports.LeakedBlocks(conn, traceId, null)),
            ("functions", MemoryReports.Functions(conn, traceId, null)),
            ("reallocs", MemoryReports.Reallocs(conn, traceId, null)),
            ("sizes", SizesReport.Buckets(conn, traceId)),
            ("temporary", TemporaryReport.Sites(conn, traceId, null)),
            ("timeline", TimelineReport.Total(conn, traceId, 1000)),
            ("timeline --per-pid", TimelineReport.PerPid(conn, traceId, 1000)),
            ("aggregations", AggregationReports.Tables(conn, traceId, null)),
            ("aggregations --format csv", AggregationReports.Buckets(conn, traceId, null)),
            ("reconcile", DropReports.Reconcile(conn, traceId)),
            ("stacks", StackReports.Stacks(conn, traceId, null)),
            ("leaks --by stack", FilteredReports.Leaks(conn, traceId, FilteredReports.LeakGrouping.Stack, EventFilter.None, null)),
            ("leaks --by growth", FilteredReports.Leaks(conn, traceId, FilteredReports.LeakGrouping.Growth, EventFilter.None, null)),
            ("peak", FilteredReports.Peak(conn, traceId, false, EventFilter.None, null).Table),
            ("peak --by stack", FilteredReports.Peak(conn, traceId, true, EventFilter.None, null).Table),
            ("timeline --by site", SiteSeries.Timeline(conn, EventFilter.None.Resolve(conn, traceId), 10, 100)),
            ("check", CheckReport.Evaluate(conn, traceId, traceId, new CheckLimits(0, 0, 0, 0, FailOnDrops: true))),
            ("traces", TraceCatalog.List(conn)),
        };
        long events = EventFilter.None.Resolve(conn, traceId).Events;
        if (events >= 2)   // the window replays: the middle third of the events
        {
            var window = new EventFilter(From: events / 3 + 1, To: Math.Max(events / 3 + 1, 2 * events / 3));
            tables.Add(("leaks --from --to", FilteredReports.Leaks(conn, traceId, FilteredReports.LeakGrouping.Site, window, null)));
            tables.Add(("leaks --by growth --from --to", FilteredReports.Leaks(conn, traceId, FilteredReports.LeakGrouping.Growth, window, null)));
            tables.Add(("peak --from --to", FilteredReports.Peak(conn, traceId, false, window, null).Table));
            tables.Add(("functions --from --to", FilteredReports.Functions(conn, traceId, window, null)));
        }
        _ = DropReports.Verdict(DropReports.Assess(conn, traceId));
        var data = TraceReportData.Load(conn, traceId);
        Assert.Contains("<html", HtmlReportWriter.Render(data, figures ? ReportFigures.For(data) : new Dictionary<string, string>()));
        foreach (var view in Views(conn)) ReadWhole(conn, view);
        return tables;
    }

    /// <summary>Each table rendered in each format the commands offer for it.</summary>
    public static IEnumerable<(string Name, string Text)> Rendered(IReadOnlyList<(string Name, ReportTable Table)> tables)
    {
        foreach (var (name, table) in tables)
        {
            var renderers = name switch
            {
                "aggregations" => new IRenderer[] { new DTraceAggregationRenderer(), new JsonRenderer() },
                "stacks" => [new FoldedStackRenderer(), new JsonRenderer(), new CsvRenderer()],
                _ => [new TextTableRenderer(), new CsvRenderer(), new JsonRenderer()],
            };
            foreach (var r in renderers)
            {
                var w = new StringWriter();
                r.Render(table, w);
                yield return ($"{name} ({r.GetType().Name})", w.ToString());
            }
        }
    }

    public static IReadOnlyList<string> Views(SqliteConnection conn)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name";
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    static void ReadWhole(SqliteConnection conn, string view)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT * FROM \"{view}\"";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            for (int i = 0; i < r.FieldCount; i++) _ = r.GetValue(i);
    }
}
