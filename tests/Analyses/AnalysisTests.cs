using System.Text.Json.Nodes;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// Timeline, sizes, temporary allocations and the summary's peak on a hand-made two-pid log whose every figure was
/// worked out by hand (tests/fixtures/analyses/two-pids.log: same pointers in both pids, a realloc, a missed free,
/// free(0), an unknown free, a zero-byte block, hostile names).
/// </summary>
public class AnalysisTests
{
    static readonly string TwoPids = Fixtures.Path_("analyses/two-pids.log");

    [Fact]
    public void Summary_gains_the_peak_event_its_line_and_the_temporary_count()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, TwoPids);
        using var conn = InProcess.Read(dir.Db);
        var s = InProcess.Json(MemoryReports.Summary(conn, r.TraceId));
        Assert.Equal(4203, s["peak_bytes"]!.GetValue<long>());
        Assert.Equal(13, s["peak_event"]!.GetValue<long>());
        Assert.Equal(14, s["peak_line"]!.GetValue<long>());
        Assert.Equal(3, s["temporary_allocs"]!.GetValue<long>());
        Assert.Equal(107, s["bytes_outstanding"]!.GetValue<long>());
    }

    [Fact]
    public void The_timeline_of_all_pids_is_the_live_total_after_each_event_with_the_peak_marked()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, TwoPids);
        using var conn = InProcess.Read(dir.Db);
        var rows = Rows(TimelineReport.Total(conn, r.TraceId, null));
        long[] expected = [100, 150, 180, 480, 450, 407, 507, 107, 107, 107, 107, 107, 4203, 107];
        Assert.Equal(expected, rows.Select(x => x["live_bytes"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), rows.Select(x => x["event"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(2, 14).Select(i => (long)i), rows.Select(x => x["line"]!.GetValue<long>()));
        Assert.Equal([13L], rows.Where(x => x["peak"]!.GetValue<bool>()).Select(x => x["event"]!.GetValue<long>()));
    }

    [Fact]
    public void Per_pid_timelines_keep_each_pids_own_blocks_and_drop_a_missed_free_from_its_pid()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, TwoPids);
        using var conn = InProcess.Read(dir.Db);
        var rows = Rows(TimelineReport.PerPid(conn, r.TraceId, null));
        string Line(JsonNode x) => $"{x["pid"]} {x["event"]} {x["live_bytes"]}/{x["live_blocks"]}";
        Assert.Equal(
        [
            "100 1 100/1", "100 4 400/1", "100 7 500/2", "100 8 100/1", "100 9 100/1", "100 11 100/2", "100 12 100/1",
            "200 2 50/1", "200 3 80/2", "200 5 50/1", "200 6 7/1", "200 10 7/1", "200 13 4103/2", "200 14 7/1",
        ], rows.Select(Line));
    }

    [Fact]
    public void Sizes_put_every_requested_size_in_its_power_of_two_bucket()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, TwoPids);
        using var conn = InProcess.Read(dir.Db);
        var rows = Rows(SizesReport.Buckets(conn, r.TraceId)).Select(x => $"{x["bucket"]}:{x["count"]}/{x["bytes"]}");
        // malloc 100, 50, 30, 7, 0, 4096; realloc to 400; calloc 4 x 25 = 100
        Assert.Equal(["0:1/0", "4:1/7", "16:1/30", "32:1/50", "64:2/200", "256:1/400", "4096:1/4096"], rows);
    }

    [Fact]
    public void Temporary_allocations_are_blocks_freed_by_the_next_event_of_the_same_pid()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, TwoPids);
        using var conn = InProcess.Read(dir.Db);
        var rows = Rows(TemporaryReport.Sites(conn, r.TraceId, null)).Select(x => $"{x["file"]}:{x["line"]} {x["function"]} {x["count"]}/{x["allocs"]}");
        // 0x2000 (pid 200) freed right after its malloc although pid 100 reallocated in between; 0x5000; 0x6000.
        // Not 0x3000: pid 100 calloc'ed between its realloc and its free.
        Assert.Equal(["app.py:20 work 1/1", "app.py:30 <script>alert(1)</script> 1/2", "x&\"'.py:41 run 1/1"], rows);
    }

    public static TheoryData<string> RefmodelLogs() => new(
        Directory.GetFiles(Fixtures.Path_("analyses/refmodel"), "*.json").Select(Path.GetFileNameWithoutExtension).Order()!);

    /// <summary>
    /// The same analyses on every seed and generated fixture, against an independent model of the rules
    /// (../shared/tools/refmodel.py; its output for each log is kept in tests/fixtures/analyses/refmodel).
    /// </summary>
    [Theory, MemberData(nameof(RefmodelLogs))]
    public void Sizes_temporary_and_peak_equal_the_reference_model(string name)
    {
        var model = Fixtures.NormalizeStrings(Fixtures.Json(Fixtures.Path_($"analyses/refmodel/{name}.json")))!;
        string log = new[] { Fixtures.Seed(name + ".log"), Fixtures.Generated(name + ".log"), Fixtures.Path_($"analyses/{name}.log") }.First(File.Exists);
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, log);
        using var conn = InProcess.Read(dir.Db);
        var s = InProcess.Json(MemoryReports.Summary(conn, r.TraceId));
        Assert.Equal(model["peak_event"]?.GetValue<long>(), s["peak_event"]?.GetValue<long>());
        Assert.Equal(model["peak_line"]?.GetValue<long>(), s["peak_line"]?.GetValue<long>());
        Assert.Equal(model["temporary_allocs"]!.GetValue<long>(), s["temporary_allocs"]!.GetValue<long>());
        Assert.Equal(model["sizes"]!.AsArray().Select(x => $"{x!["bucket"]}:{x["count"]}/{x["bytes"]}"),
            Rows(SizesReport.Buckets(conn, r.TraceId)).Select(x => $"{x["bucket"]}:{x["count"]}/{x["bytes"]}"));
        Assert.Equal(model["temporary"]!.AsArray().Select(x => $"{x!["file"]}|{x["line"]}|{x["function"]}|{x["count"]}").Order(StringComparer.Ordinal),
            Rows(TemporaryReport.Sites(conn, r.TraceId, null)).Select(x => $"{x["file"]}|{x["line"]}|{x["function"]}|{x["count"]}").Order(StringComparer.Ordinal));
        var peak = Rows(TimelineReport.Total(conn, r.TraceId, 50)).Where(x => x["peak"]!.GetValue<bool>()).ToList();
        Assert.Equal(model["peak_event"] is null ? 0 : 1, peak.Count);
        if (peak.Count == 1) Assert.Equal(model["peak_bytes"]!.GetValue<long>(), peak[0]["live_bytes"]!.GetValue<long>());
    }

    [Fact]
    public void Per_pid_timelines_add_up_to_the_total_after_every_event()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, Fixtures.Generated("pyraw-2pids-quirks.log"));
        using var conn = InProcess.Read(dir.Db);
        var total = Rows(TimelineReport.Total(conn, r.TraceId, null));
        var perPid = Rows(TimelineReport.PerPid(conn, r.TraceId, null)).ToDictionary(x => x["event"]!.GetValue<long>());
        Assert.Equal(2, perPid.Values.Select(x => x["pid"]!.GetValue<long>()).Distinct().Count());
        var last = new Dictionary<long, (long Bytes, long Blocks)>();
        foreach (var t in total)
        {
            var p = perPid[t["event"]!.GetValue<long>()];
            last[p["pid"]!.GetValue<long>()] = (p["live_bytes"]!.GetValue<long>(), p["live_blocks"]!.GetValue<long>());
            Assert.Equal(t["live_bytes"]!.GetValue<long>(), last.Values.Sum(v => v.Bytes));
            Assert.Equal(t["live_blocks"]!.GetValue<long>(), last.Values.Sum(v => v.Blocks));
        }
    }

    [Theory, InlineData(3), InlineData(101), InlineData(1000)]
    public void Downsampling_keeps_at_most_N_points_with_every_runs_highest_and_lowest_and_the_peak(int points)
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, Fixtures.Generated("libc-2pids-quirks.log"));
        using var conn = InProcess.Read(dir.Db);
        var full = Rows(TimelineReport.Total(conn, r.TraceId, null));
        var kept = Rows(TimelineReport.Total(conn, r.TraceId, points));
        Assert.InRange(kept.Count, 1, points);
        var byEvent = full.ToDictionary(x => x["event"]!.GetValue<long>());
        foreach (var k in kept)   // every kept point is the exact value at its event
            Assert.Equal(byEvent[k["event"]!.GetValue<long>()]["live_bytes"]!.GetValue<long>(), k["live_bytes"]!.GetValue<long>());
        long peakBytes = full.Max(x => x["live_bytes"]!.GetValue<long>());
        long peakEvent = full.First(x => x["live_bytes"]!.GetValue<long>() == peakBytes)["event"]!.GetValue<long>();
        Assert.Equal([peakEvent], kept.Where(x => x["peak"]!.GetValue<bool>()).Select(x => x["event"]!.GetValue<long>()));
        int runs = (points - 1) / 2, width = (full.Count + runs - 1) / runs;
        var keptBytes = kept.Select(x => x["live_bytes"]!.GetValue<long>()).ToList();
        foreach (var run in full.Chunk(width))
        {
            var values = run.Select(x => x["live_bytes"]!.GetValue<long>()).ToList();
            Assert.Contains(kept, x => run.Any(y => y["event"]!.GetValue<long>() == x["event"]!.GetValue<long>()) && x["live_bytes"]!.GetValue<long>() == values.Max());
            Assert.Contains(kept, x => run.Any(y => y["event"]!.GetValue<long>() == x["event"]!.GetValue<long>()) && x["live_bytes"]!.GetValue<long>() == values.Min());
        }
        Assert.Equal(full[^1]["event"]!.GetValue<long>(), kept[^1]["event"]!.GetValue<long>());
    }

    [Fact]
    public void Stack_bytes_per_call_stack_equal_the_reference_model()
    {
        var model = Fixtures.NormalizeStrings(Fixtures.Json(Fixtures.Path_("analyses/refmodel/pyraw-call-stack.json")))!;
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, Fixtures.Generated("pyraw-call-stack.log"));
        using var conn = InProcess.Read(dir.Db);
        var nodes = Rows(AdHocQuery.Run(conn, $"SELECT stack_id, parent_id, file, function, self_bytes, total_bytes FROM stack_bytes WHERE trace_id = {r.TraceId}"))
            .ToDictionary(x => x["stack_id"]!.GetValue<long>());
        string PathOf(JsonNode n) => (n["parent_id"] is { } p ? PathOf(nodes[p.GetValue<long>()]) + ";" : "") + $"{n["file"]}:{n["function"]}";
        var mine = nodes.Values.Where(n => n["self_bytes"]!.GetValue<long>() > 0).Select(n => $"{PathOf(n)}={n["self_bytes"]}").Order(StringComparer.Ordinal);
        var theirs = model["stacks"]!.AsArray().Select(s => string.Join(";", s!["frames"]!.AsArray().Select(f => $"{f![0]}:{f[1]}")) + $"={s["bytes"]}").Order(StringComparer.Ordinal);
        Assert.Equal(theirs, mine);
        foreach (var n in nodes.Values)   // a frame's total is its own bytes plus its callees' totals
            Assert.Equal(n["total_bytes"]!.GetValue<long>(), n["self_bytes"]!.GetValue<long>() +
                nodes.Values.Where(c => c["parent_id"]?.GetValue<long>() == n["stack_id"]!.GetValue<long>()).Sum(c => c["total_bytes"]!.GetValue<long>()));
    }

    static List<JsonNode> Rows(PyMemTrace.Reports.ReportTable t) => InProcess.Json(t).AsArray().Select(x => x!).ToList();
}
