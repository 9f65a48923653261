using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// What the HTML report shows of issue 13, read once: leaks by call stack, what was live at the peak (by site and by
/// stack, with the peak moment), the biggest sites' live bytes over time, the growth ranking of leak suspects, and the
/// flame graph's three weights as (path, count, bytes) stacks: requested, leaked, peak. Cut to the largest rows like
/// the report's other tables; the commands that list everything are named in docs/reports.md.
/// </summary>
public sealed record BlockReportData(
    ReportTable LeaksByStack,
    PeakMoment? Peak,
    ReportTable PeakBySite,
    ReportTable PeakByStack,
    ReportTable SiteTimeline,
    ReportTable Growth,
    IReadOnlyDictionary<string, IReadOnlyList<(string Path, long Count, long Bytes)>> StackWeights)
{
    public const int MaxRows = 1000, TimelineSites = 8, TimelinePoints = 500;

    public static BlockReportData Load(SqliteConnection conn, long traceId)
    {
        var leaks = FilteredReports.Leaks(conn, traceId, FilteredReports.LeakGrouping.Stack, EventFilter.None, null);
        var f = EventFilter.None.Resolve(conn, traceId);
        var peak = BlockReports.Peak(conn, f);
        var live = peak is null ? [] : BlockReports.LiveAtPeakGroups(conn, f, peak);   // one read for both groupings
        var bySite = BlockReports.BySite(conn, "Live at the peak by site", live, MaxRows);
        var byStack = BlockReports.ByStack(conn, "Live at the peak by call stack", live, null);
        var weights = new Dictionary<string, IReadOnlyList<(string, long, long)>>
        {
            ["requested"] = Weighted(StackReports.Stacks(conn, traceId, null), "events"),
            ["leaked"] = Weighted(leaks, "blocks"),
            ["peak"] = Weighted(byStack, "blocks"),
        };
        return new BlockReportData(Cut(leaks), peak, bySite, Cut(byStack), SiteSeries.Timeline(conn, f, TimelineSites, TimelinePoints),
            SiteSeries.Growth(conn, f, MaxRows), weights);
    }

    static List<(string, long, long)> Weighted(ReportTable t, string count) =>
        t.Rows.Select(r => ((string)r[0]!, (long)r[t.IndexOf(count)]!, (long)r[t.IndexOf("bytes")]!)).ToList();

    static ReportTable Cut(ReportTable t) => t.Rows.Count <= MaxRows ? t : t with { Rows = t.Rows.Take(MaxRows).ToList() };
}
