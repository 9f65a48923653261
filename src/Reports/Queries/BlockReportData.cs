using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// What the HTML report shows of issue 13, computed once: leaks by call stack, what was live at the peak (by site and
/// by stack, with the peak moment; one read of the blocks live at the peak, from the groups kept at import, serves the
/// verdict, the tables and the flame graph's "live at peak" weight), the biggest sites' live bytes over time, and the growth ranking of leak suspects. Cut to the
/// largest rows so that the page stays bounded on a million-event trace: the stack tables keep their first
/// <see cref="StackRows"/> and sum the rest into one row (so they still add up); the commands that list everything
/// are named beside them.
/// </summary>
public sealed record BlockReportData(
    ReportTable LeaksByStack,
    long LeakStacks,
    PeakMoment? Peak,
    ReportTable PeakBySite,
    ReportTable PeakByStack,
    long PeakStacks,
    IReadOnlyList<(string Path, long Count, long Bytes)> PeakFlame,
    ReportTable SiteTimeline,
    ReportTable Growth,
    long GrowthSites)
{
    public const int MaxRows = 1000, StackRows = 100, GrowthRows = 100, TimelineSites = 8, TimelinePoints = 500;

    /// <summary>The summing row's stack: the stacks past the first <see cref="StackRows"/>.</summary>
    public static string OtherStacks(long count) => $"[{count} other stacks]";

    public static BlockReportData Load(SqliteConnection conn, long traceId)
    {
        var f = EventFilter.None.Resolve(conn, traceId);
        var leaks = BlockReports.ByStack(conn, "Leaks by call stack", BlockReports.LeakedGroups(conn, f), null);
        var peak = BlockReports.Peak(conn, f);
        var live = peak is null ? [] : BlockReports.LiveAtPeakGroups(conn, f, peak);   // one read for every view of the peak
        if (peak is not null) peak = peak with { Seconds = TraceClock.SecondsAt(conn, f, peak.Event) };
        var byStack = BlockReports.ByStack(conn, "Live at the peak by call stack", live, null);
        var growth = SiteSeries.Growth(conn, f, null);
        return new BlockReportData(Summed(leaks), leaks.Rows.Count, peak, BlockReports.BySite(conn, "Live at the peak by site", live, MaxRows),
            Summed(byStack), byStack.Rows.Count, FlameWeights.ByStackPath(conn, live),
            SiteSeries.Timeline(conn, f, TimelineSites, TimelinePoints),
            growth with { Rows = growth.Rows.Take(GrowthRows).ToList() }, growth.Rows.Count);
    }

    /// <summary>The first stacks whole (stack, blocks, bytes: the frames are in the stack) and one row summing the rest.</summary>
    static ReportTable Summed(ReportTable t)
    {
        var rows = t.Rows.Take(StackRows).Select(r => new[] { r[0], r[2], r[3] }).ToList();
        if (t.Rows.Count > StackRows)
        {
            var rest = t.Rows.Skip(StackRows).ToList();
            rows.Add([OtherStacks(rest.Count), rest.Sum(r => (long)r[2]!), Saturating.Sum(rest.Select(r => (long)r[3]!))]);
        }
        return new ReportTable(t.Title, [Text("stack"), Int("blocks"), Int("bytes")], rows);
    }
}
