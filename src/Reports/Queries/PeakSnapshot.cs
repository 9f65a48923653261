using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// What was live right after the (first) peak event, for the HTML report's verdict ("held most by") and its flame
/// graph's "live at peak" weight: the blocks the peak report counts (context_totals, kept at import), by site and by
/// call stack.
/// </summary>
public static class PeakSnapshot
{
    /// <summary>Live bytes and blocks by site (file, line, function, bytes, blocks), largest first, and by stack path.</summary>
    public static (ReportTable BySite, long Blocks, IReadOnlyList<(string Path, long Count, long Bytes)> ByStack) Load(SqliteConnection conn, long traceId, int topSites)
    {
        var f = EventFilter.None.Resolve(conn, traceId);
        var live = BlockReports.Peak(conn, f) is { } peak ? BlockReports.LiveAtPeakGroups(conn, f, peak) : [];
        var table = BlockReports.BySite(conn, "Live at the peak", live, topSites);
        var stacks = new StackFrames(conn, live.Select(g => g.StackId));
        var byStack = live.GroupBy(g => g.StackId)
            .Select(g => (Path: g.Key == 0 ? FlameWeights.NoStack : stacks.PathOf(g.Key), Count: g.Sum(b => b.Blocks), Bytes: Saturating.Sum(g.Select(b => b.Bytes))))
            .ToList();
        return (table, live.Sum(g => g.Blocks), byStack);
    }
}
