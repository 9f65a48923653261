using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The reports of issue 13 as the CLI and the HTML report call them: leaks (by site, pointer, stack, growth), the
/// peak's consumers, functions, stacks by weight, each under an <see cref="EventFilter"/>. Without a filter, leaks by
/// site and pointer and functions are the plain reports (their views, their stored totals).
/// </summary>
public static class FilteredReports
{
    public enum LeakGrouping { Site, Pointer, Stack, Growth }
    public enum StackWeight { Requested, Leaked, Peak }

    public static ReportTable Leaks(SqliteConnection conn, long traceId, LeakGrouping by, EventFilter filter, int? top)
    {
        var f = filter.Resolve(conn, traceId);
        bool plain = !f.Filters && !filter.Windowed;
        return by switch
        {
            LeakGrouping.Site when plain => MemoryReports.LeakSites(conn, traceId, top),
            LeakGrouping.Pointer when plain => MemoryReports.LeakedBlocks(conn, traceId, top),
            LeakGrouping.Site => BlockReports.LeakSites(conn, BlockReports.LeakedGroups(conn, f), top),
            LeakGrouping.Pointer => BlockReports.EachBlock(conn, BlockReports.Leaked(conn, f), top),
            LeakGrouping.Stack => BlockReports.ByStack(conn, "Leaks by call stack", BlockReports.LeakedGroups(conn, f), top),
            _ => SiteSeries.Growth(conn, f, top),
        };
    }

    /// <summary>The peak moment (null: live bytes never rose above 0) and what was live then, by site or by stack.</summary>
    public static (PeakMoment? Peak, ReportTable Table) Peak(SqliteConnection conn, long traceId, bool byStack, EventFilter filter, int? top)
    {
        var f = filter.Resolve(conn, traceId);
        var peak = BlockReports.Peak(conn, f);
        var blocks = peak is null ? [] : BlockReports.LiveAtPeakGroups(conn, f, peak);
        if (peak is not null) peak = peak with { Seconds = TraceClock.SecondsAt(conn, f, peak.Event) };
        return (peak, byStack ? BlockReports.ByStack(conn, "Live at the peak by call stack", blocks, top)
                              : BlockReports.BySite(conn, "Live at the peak by site", blocks, top));
    }

    /// <summary>One line for people: the peak, where it is in the log, how much of it the rows hold, the trace's pids.</summary>
    public static string PeakHeadline(PeakMoment? peak, ReportTable table, long pids)
    {
        if (peak is null) return "no peak: live bytes never rose above 0";
        long rows = Saturating.Sum(table.Rows.Select(r => (long)r[table.IndexOf("bytes")]!));
        string share = rows == peak.Bytes ? "the rows hold all of it" : $"the rows hold {rows:N0} B of it (the rest: other pids, excluded sites, earlier than --from, or past --top)";
        return $"peak: {Rendering.ByteUnits.Format(peak.Bytes)} ({peak.Bytes:N0} B) in {peak.Blocks:N0} blocks after event {peak.Event:N0} (log line {peak.Line:N0}; {(peak.Seconds is { } s ? $"{s.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} s after the first time stamp" : "the log has no timestamps")}); {share}; {pids} pid{(pids == 1 ? "" : "s")} in the trace";
    }

    /// <summary>
    /// Per (file, function), in the columns of the functions report: the window's events that the filter keeps (by
    /// their own pid, site and stack), and as bytes_outstanding the bytes they allocated that are still live at its end.
    /// </summary>
    public static ReportTable Functions(SqliteConnection conn, long traceId, EventFilter filter, int? top)
    {
        var f = filter.Resolve(conn, traceId);
        if (!f.Filters && !filter.Windowed) return MemoryReports.Functions(conn, traceId, top);
        // one pass over the window: the counts and the blocks still live at its end
        var (live, counted) = WindowReplay.Run(conn, f.FirstEventId, f.From, f.To, () => new FunctionCounts(f));
        var perSite = ((FunctionCounts)counted!).PerSite;
        foreach (var b in live.Where(b => f.Keeps(b)))
        {
            var t = FunctionCounts.Of(perSite, b.SiteId);
            t[5] = Saturating.Add(t[5], b.Size);   // bytes_outstanding
        }
        var sites = BlockReports.Sites(conn, perSite.Keys);
        var rows = perSite.GroupBy(kv => (sites[kv.Key].File, sites[kv.Key].Function))
            .Select(g => new object?[] { g.Key.File, g.Key.Function }.Concat(Enumerable.Range(0, 6).Select(i => (object?)Saturating.Sum(g.Select(kv => kv.Value[i])))).ToArray())
            .OrderByDescending(r => (long)r[4]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal).ThenBy(r => (string)r[1]!, StringComparer.Ordinal);
        var plain = MemoryReports.Functions(conn, traceId, 1);   // for its columns
        return new ReportTable("Functions", plain.Columns, (top is > 0 ? rows.Take(top.Value) : rows).ToList());
    }

    public static ReportTable Stacks(SqliteConnection conn, long traceId, StackWeight weight, EventFilter filter, int? top, bool keepOffsets)
    {
        if (weight == StackWeight.Leaked) return Leaks(conn, traceId, LeakGrouping.Stack, filter, top);
        if (weight == StackWeight.Peak) return Peak(conn, traceId, byStack: true, filter, top).Table;
        var f = filter.Resolve(conn, traceId);
        return StackReports.Stacks(conn, traceId, top, keepOffsets, f.Filters || filter.Windowed ? f : null);
    }

    /// <summary>Per site: allocs, reallocs, bytes_allocated, frees, bytes_freed, bytes_outstanding (filled after).</summary>
    sealed class FunctionCounts(ResolvedFilter f) : WindowReplay.Counter
    {
        public readonly Dictionary<long, long[]> PerSite = new();

        public static long[] Of(Dictionary<long, long[]> perSite, long site) => perSite.TryGetValue(site, out var t) ? t : perSite[site] = new long[6];

        public override void Count(ReadOnlySpan<long> r)
        {
            bool free = r[3] == 2;
            if (free && r[7] == 0) return;   // a free that released nothing is not counted
            if (!f.KeepsEvent((int)r[2], r[8], r[9])) return;
            var t = Of(PerSite, r[8]);
            if (free) t[3]++;
            else if (r[3] == 1) t[1]++;
            else t[0]++;
            t[2] = Saturating.Add(t[2], r[4]);
            t[4] = Saturating.Add(t[4], r[10]);
        }

        public override void Add(WindowReplay.Counter other)
        {
            foreach (var (site, counts) in ((FunctionCounts)other).PerSite)
            {
                var t = Of(PerSite, site);
                for (int i = 0; i < t.Length; i++) t[i] = Saturating.Add(t[i], counts[i]);
            }
        }
    }
}
