using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;
using static PyMemTrace.Reports.Queries.FilteredReports;
using static PyMemTrace.Tests.Analyses.BlockModel;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// Leaks by stack, the peak's consumers, per-site timelines, growth, --pid, --exclude and windows (issue 13) against the
/// generator's record of every block (<see cref="BlockModel"/>): exact bytes and blocks per site and per stack.
/// </summary>
public sealed class BlockReportTests : IDisposable
{
    public static TheoryData<string> Logs() => new("gentrace-pyraw-callstack-2pids-seed8", "libc-3000-quirks");

    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    (BlockModel Model, SqliteConnection Conn, long Trace) Open(string log)
    {
        var r = InProcess.Import(_dir.Db, Fixtures.Generated(log + ".log"));
        return (new BlockModel(log + ".truth.json"), InProcess.Read(_dir.Db), r.TraceId);
    }

    static List<string> Sites(ReportTable t, string blocks = "blocks") => InProcess.Json(t).AsArray()
        .Select(r => $"{r!["file"]}|{r["line"]}|{r["function"]} {r["bytes"]} {r[blocks]}").Order(StringComparer.Ordinal).ToList();

    static List<string> Stacks(ReportTable t) => InProcess.Json(t).AsArray()
        .Select(r => $"{r!["stack"]} {r["bytes"]} {r["blocks"]}").Order(StringComparer.Ordinal).ToList();

    static long Sum(ReportTable t) => InProcess.Json(t).AsArray().Sum(r => r!["bytes"]!.GetValue<long>());

    [Theory, MemberData(nameof(Logs))]
    public void Leaks_by_stack_are_the_models_never_freed_blocks_and_add_up_to_the_outstanding_bytes(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        var leaked = model.Blocks.Where(b => b.End is null).ToList();
        var table = FilteredReports.Leaks(conn, trace, LeakGrouping.Stack, EventFilter.None, null);
        Assert.Equal(Grouped(leaked, PathOf), Stacks(table));
        Assert.Equal(model.Truth["bytes_outstanding"]!.GetValue<long>(), Sum(table));
        Assert.Equal(Stacks(table), Stacks(FilteredReports.Stacks(conn, trace, StackWeight.Leaked, EventFilter.None, null, false)));
    }

    [Theory, MemberData(nameof(Logs))]
    public void The_peak_by_site_and_by_stack_is_what_the_model_had_live_at_its_peak(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        var live = model.Blocks.Where(b => b.LiveAtPeak).ToList();
        var (peak, bySite) = FilteredReports.Peak(conn, trace, false, EventFilter.None, null);
        Assert.Equal(model.PeakEvent, peak!.Event);
        Assert.Equal(model.Truth["peak_bytes"]!.GetValue<long>(), peak.Bytes);
        Assert.Equal(Grouped(live, SiteKey), Sites(bySite));
        Assert.Equal(peak.Bytes, Sum(bySite));
        Assert.Equal(live.Count, peak.Blocks);
        var byStack = FilteredReports.Peak(conn, trace, true, EventFilter.None, null).Table;
        Assert.Equal(Grouped(live, PathOf), Stacks(byStack));
        Assert.Equal(Stacks(byStack), Stacks(FilteredReports.Stacks(conn, trace, StackWeight.Peak, EventFilter.None, null, false)));
    }

    [Theory, MemberData(nameof(Logs))]
    public void Each_sites_timeline_ends_at_its_leaked_bytes_and_holds_its_peak_share(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        var f = EventFilter.None.Resolve(conn, trace);
        var rows = InProcess.Json(SiteSeries.Timeline(conn, f, 100_000, 7)).AsArray().Select(r => r!).ToList();
        var bySite = model.Blocks.GroupBy(SiteKey).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(bySite.Keys.Order(StringComparer.Ordinal), rows.Select(Key).Distinct().Order(StringComparer.Ordinal));
        foreach (var at in new[] { model.Events, model.PeakEvent })
        {
            var points = rows.Where(r => r["event"]!.GetValue<long>() == at).ToList();
            Assert.Equal(bySite.Count, points.Count);
            foreach (var p in points)
                Assert.Equal(LiveBytes(bySite[Key(p)], at), p["live_bytes"]!.GetValue<long>());
        }
        static string Key(JsonNode r) => $"{r["file"]}|{r["line"]}|{r["function"]}";
    }

    [Theory, MemberData(nameof(Logs))]
    public void Growth_counts_the_slices_in_which_each_leaking_site_grew(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        var f = EventFilter.None.Resolve(conn, trace);
        long n = model.Events;
        var ends = Enumerable.Range(0, SiteSeries.Slices + 1).Select(j => (j * n + SiteSeries.Slices - 1) / SiteSeries.Slices).ToList();
        var expected = model.Blocks.GroupBy(SiteKey).Where(g => g.Any(b => b.End is null)).Select(g =>
        {
            var live = ends.Select(e => LiveBytes(g, e)).ToList();
            int grew = Enumerable.Range(1, SiteSeries.Slices).Count(j => live[j] > live[j - 1]);
            var moments = g.Select(b => b.Event).Concat(g.Where(b => b.End is not null).Select(b => b.End!.Value)).Distinct();
            return $"{g.Key} {grew} {g.Where(b => b.End is null).Sum(b => b.Size)} {g.Count(b => b.End is null)} {moments.Max(e => LiveBytes(g, e))}";
        }).Order(StringComparer.Ordinal);
        var rows = InProcess.Json(SiteSeries.Growth(conn, f, null)).AsArray().Select(r => r!).ToList();
        Assert.Equal(expected, rows.Select(r => $"{r["file"]}|{r["line"]}|{r["function"]} {r["grew"]} {r["bytes"]} {r["blocks"]} {r["max_bytes"]}").Order(StringComparer.Ordinal));
        var order = rows.Select(r => (r["grew"]!.GetValue<long>(), r["bytes"]!.GetValue<long>())).ToList();
        Assert.Equal(order.OrderByDescending(o => o.Item1).ThenByDescending(o => o.Item2), order);
    }

    [Theory, MemberData(nameof(Logs))]
    public void The_pids_leaks_and_peak_shares_partition_the_whole(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        var pids = model.Truth["pids"]!.AsArray().Select(p => p!.GetValue<int>()).ToList();
        Assert.Equal(pids.Count, BlockReports.Pids(conn, trace));
        long leaked = 0, atPeak = 0;
        foreach (var pid in pids)
        {
            var filter = new EventFilter(Pid: pid);
            var mine = model.Blocks.Where(b => b.Pid == pid).ToList();
            var sites = FilteredReports.Leaks(conn, trace, LeakGrouping.Site, filter, null);
            Assert.Equal(Grouped(mine.Where(b => b.End is null), SiteKey), Sites(sites, "count"));
            Assert.Equal(Grouped(mine.Where(b => b.End is null), PathOf), Stacks(FilteredReports.Leaks(conn, trace, LeakGrouping.Stack, filter, null)));
            var peak = FilteredReports.Peak(conn, trace, false, filter, null).Table;
            Assert.Equal(Grouped(mine.Where(b => b.LiveAtPeak), SiteKey), Sites(peak));
            leaked += Sum(sites);
            atPeak += Sum(peak);
        }
        Assert.Equal(model.Truth["bytes_outstanding"]!.GetValue<long>(), leaked);
        Assert.Equal(model.Truth["peak_bytes"]!.GetValue<long>(), atPeak);
    }

    [Theory, MemberData(nameof(Logs))]
    public void Exclude_leaves_out_blocks_whose_site_or_any_stack_frame_matches(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        string[] patterns = ["core.py", "*shutdown*", "<*>"];
        var globs = patterns.Select(p => new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(p).Replace("\\*", ".*") + "$")).ToList();
        bool Match(string s) => globs.Any(g => g.IsMatch(s));
        var kept = model.Blocks.Where(b => !Match(b.Site.File) && !Match(b.Site.Function) && !b.Stack.Any(fr => Match(fr.File) || Match(fr.Function))).ToList();
        Assert.NotEqual(model.Blocks.Count, kept.Count);
        var filter = new EventFilter(Exclude: patterns);
        Assert.Equal(Grouped(kept.Where(b => b.End is null), SiteKey), Sites(FilteredReports.Leaks(conn, trace, LeakGrouping.Site, filter, null), "count"));
        Assert.Equal(Grouped(kept.Where(b => b.End is null), PathOf), Stacks(FilteredReports.Leaks(conn, trace, LeakGrouping.Stack, filter, null)));
        Assert.Equal(Grouped(kept.Where(b => b.LiveAtPeak), SiteKey), Sites(FilteredReports.Peak(conn, trace, false, filter, null).Table));
    }

    [Theory, MemberData(nameof(Logs))]
    public void A_window_counts_the_blocks_allocated_in_it_and_live_at_its_end(string log)
    {
        var (model, conn, trace) = Open(log);
        using var _ = conn;
        long from = model.Events / 3, to = 2 * model.Events / 3;
        var filter = new EventFilter(From: from, To: to);
        var inWindow = model.Blocks.Where(b => b.Event >= from && b.Event <= to).ToList();
        var live = inWindow.Where(b => b.LiveAfter(to)).ToList();
        Assert.Equal(Grouped(live, SiteKey), Sites(FilteredReports.Leaks(conn, trace, LeakGrouping.Site, filter, null), "count"));
        Assert.Equal(Grouped(live, PathOf), Stacks(FilteredReports.Leaks(conn, trace, LeakGrouping.Stack, filter, null)));
        var outstanding = live.GroupBy(b => $"{b.Site.File}|{b.Site.Function}").Select(g => $"{g.Key} {g.Sum(b => b.Size)}").Order(StringComparer.Ordinal);
        var functions = InProcess.Json(FilteredReports.Functions(conn, trace, filter, null)).AsArray()
            .Where(r => r!["bytes_outstanding"]!.GetValue<long>() > 0).Select(r => $"{r!["file"]}|{r["function"]} {r["bytes_outstanding"]}").Order(StringComparer.Ordinal);
        Assert.Equal(outstanding, functions);
        // the window's peak: the first event in it with the most live bytes (all blocks), and the window's blocks live then
        long peakEvent = from, peakBytes = -1;
        for (long e = from; e <= to; e++)
        {
            long bytes = LiveBytes(model.Blocks, e);
            if (bytes > peakBytes) (peakEvent, peakBytes) = (e, bytes);
        }
        var (peak, table) = FilteredReports.Peak(conn, trace, false, filter, null);
        Assert.Equal((peakEvent, peakBytes), (peak!.Event, peak.Bytes));
        Assert.Equal(Grouped(inWindow.Where(b => b.LiveAfter(peakEvent)), SiteKey), Sites(table));
    }

    [Fact]
    public void The_html_reports_block_data_adds_up_to_the_models_leaks_and_peak()
    {
        var (model, conn, trace) = Open("gentrace-pyraw-callstack-2pids-seed8");
        using var _ = conn;
        var report = TraceReportData.Load(conn, trace);
        var data = report.Blocks;
        Assert.Equal(model.Truth["bytes_outstanding"]!.GetValue<long>(), report.Weight("leaked")!.TotalBytes);
        Assert.Equal(model.Truth["peak_bytes"]!.GetValue<long>(), report.Weight("peak")!.TotalBytes);
        Assert.Equal(model.Truth["bytes_allocated"]!.GetValue<long>(), report.Weight("requested")!.TotalBytes);
        Assert.Equal(model.PeakEvent, data.Peak!.Event);
        Assert.Null(data.Peak.Seconds);   // the generated log has no time stamps
        Assert.Equal(Grouped(model.Blocks.Where(b => b.LiveAtPeak), SiteKey), Sites(data.PeakBySite));
        Assert.Equal(TopAndRest(model.Blocks.Where(b => b.End is null)), Rows(data.LeaksByStack));
        Assert.Equal(TopAndRest(model.Blocks.Where(b => b.LiveAtPeak)), Rows(data.PeakByStack));
        var growth = SiteSeries.Growth(conn, EventFilter.None.Resolve(conn, trace), null);
        Assert.Equal(growth.Rows.Count, data.GrowthSites);
        Assert.Equal(InProcess.Json(growth).AsArray().Take(BlockReportData.GrowthRows).Select(r => r!.ToJsonString()), InProcess.Json(data.Growth).AsArray().Select(r => r!.ToJsonString()));
        var last = InProcess.Json(data.SiteTimeline).AsArray().Where(r => r!["event"]!.GetValue<long>() == model.Events).ToList();
        Assert.Equal(BlockReportData.TimelineSites, last.Count);
        foreach (var r in last)
            Assert.Equal(model.Blocks.Where(b => b.End is null && SiteKey(b) == $"{r!["file"]}|{r["line"]}|{r["function"]}").Sum(b => b.Size), r!["live_bytes"]!.GetValue<long>());
    }

    /// <summary>The report's stack table from the model: the largest stacks whole, then one row summing the rest.</summary>
    static List<string> TopAndRest(IEnumerable<ModelBlock> blocks)
    {
        var stacks = blocks.GroupBy(PathOf).Select(g => (Path: g.Key, Bytes: g.Sum(b => b.Size), Blocks: (long)g.Count()))
            .OrderByDescending(s => s.Bytes).ThenBy(s => s.Path, StringComparer.Ordinal).ToList();
        Assert.True(stacks.Count > BlockReportData.StackRows, "the fixture should have more stacks than the report shows");
        var rest = stacks.Skip(BlockReportData.StackRows).ToList();
        return stacks.Take(BlockReportData.StackRows).Select(s => $"{s.Path} {s.Bytes} {s.Blocks}")
            .Append($"{BlockReportData.OtherStacks(rest.Count)} {rest.Sum(s => s.Bytes)} {rest.Sum(s => s.Blocks)}").ToList();
    }

    static List<string> Rows(ReportTable t) => InProcess.Json(t).AsArray().Select(r => $"{r!["stack"]} {r["bytes"]} {r["blocks"]}").ToList();
}
