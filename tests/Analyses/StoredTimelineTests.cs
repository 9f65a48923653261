using System.Text;
using Dapper;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// The timelines kept at import (timeline_buckets) give the points the sampler gives over every event, with runs
/// rounded up to whole buckets: checked on a trace long enough for the buckets to merge (width 8 and more), for all
/// pids (events.live_bytes) and per pid (the view pid_timeline), at several resolutions.
/// </summary>
public sealed class StoredTimelineTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Two pids allocating and freeing at random, the live set drifting up and down; 40,000 events.</summary>
    static string Log()
    {
        var rnd = new Random(11);
        var sb = new StringBuilder("dtrace:::BEGIN\n");
        var live = new Dictionary<int, List<long>> { [101] = [], [202] = [] };
        long next = 0x7f0000000000;
        for (int i = 0; i < 40_000; i++)
        {
            int pid = rnd.Next(2) == 0 ? 101 : 202;
            var blocks = live[pid];
            double drift = Math.Sin(i / 3000.0) * 0.2;
            if (blocks.Count > 0 && rnd.NextDouble() < 0.45 + drift)
            {
                int k = rnd.Next(blocks.Count);
                sb.Append($"{pid} a.py:{i % 50 + 1} -> f free(0x{blocks[k]:x})\n");
                blocks.RemoveAt(k);
            }
            else
            {
                next += 0x40;
                sb.Append($"{pid} a.py:{i % 50 + 1} -> f malloc({rnd.Next(1, 5000)}) pntr 0x{next:x}\n");
                blocks.Add(next);
            }
        }
        return sb.Append("dtrace:::END\n").ToString();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(4001)]
    public void Stored_timelines_give_the_points_of_every_event_in_runs_of_whole_buckets(int points)
    {
        File.WriteAllText(_dir.File("t.log"), Log());
        long id = TraceImporter.Import(_dir.Db, _dir.File("t.log"), force: false).TraceId;
        using var conn = Database.OpenReadOnly(_dir.Db);
        long width = conn.ExecuteScalar<long>("SELECT width FROM timeline_series WHERE trace_id = @id AND pid IS NULL", new { id });
        Assert.True(width >= 8, $"the buckets merged: width {width}");

        var all = conn.Query<(long Seq, long Line, long Bytes, long Blocks)>(
            "SELECT seq, line, live_bytes, live_blocks FROM events WHERE trace_id = @id ORDER BY id", new { id }).ToList();
        Assert.Equal(Rows(Expected(all, points, buckets: 2048)), Rows(TimelineReport.Total(conn, id, points).Rows));

        var perPid = TimelineReport.PerPid(conn, id, points).Rows;
        foreach (int pid in new[] { 101, 202 })
        {
            var own = conn.Query<(long Seq, long Line, long Bytes, long Blocks)>(
                "SELECT event, line, live_bytes, live_blocks FROM pid_timeline WHERE trace_id = @id AND pid = @pid ORDER BY event", new { id, pid }).ToList();
            Assert.Equal(Rows(Expected(own, points, buckets: 512)), Rows(perPid.Where(r => (long)r[0]! == pid).Select(r => r[1..]).ToList()));
            Assert.Equal(Rows(Expected(own, points, buckets: 512)), Rows(TimelineReport.ForPid(conn, id, pid, points).Rows));
        }
    }

    [Fact]
    public void Growth_and_site_timelines_from_site_buckets_equal_a_replay_at_the_bucket_ends()
    {
        File.WriteAllText(_dir.File("t.log"), Log());
        long id = TraceImporter.Import(_dir.Db, _dir.File("t.log"), force: false).TraceId;
        using var conn = Database.OpenReadOnly(_dir.Db);
        long width = conn.ExecuteScalar<long>("SELECT site_bucket_width FROM trace_totals WHERE trace_id = @id", new { id });
        Assert.True(width >= 8, $"the site buckets merged: width {width}");
        var f = EventFilter.None.Resolve(conn, id);
        long Snapped(long e) => e >= f.Events ? e : e / width * width;   // the bucket end at or before e

        // growth: 20 slices, their ends moved back to bucket ends
        var ends = Enumerable.Range(0, 21).Select(j => (long)(j * f.Events + 19) / 20).Select(Snapped).ToList();
        var watch = new SiteWatch(ends);
        BlockReplay.LiveAfter(conn, id, null, watch);
        var sites = conn.Query<(long Id, string File, long Line, string Function)>("SELECT id, file, line, function FROM sites").ToDictionary(s => s.Id);
        var leakedBlocks = conn.Query<(long Site, long Blocks)>("SELECT site_id, count(*) FROM events WHERE trace_id = @id AND leaked = 1 GROUP BY site_id", new { id })
            .ToDictionary(r => r.Site, r => r.Blocks);
        var expected = watch.Live.Where(kv => kv.Value > 0).Select(kv =>
        {
            var s = sites[kv.Key];
            long grew = Enumerable.Range(1, 20).Count(j => watch.AtMarks[j].GetValueOrDefault(kv.Key) > watch.AtMarks[j - 1].GetValueOrDefault(kv.Key));
            return $"{s.File}|{s.Line}|{s.Function}|{grew}|20|{kv.Value}|{leakedBlocks[kv.Key]}|{watch.Max[kv.Key]}";
        }).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Rows(SiteSeries.Growth(conn, f, null).Rows).Order().ToList());

        // the per-site timeline: the 5 sites that held most at any moment, at the bucket end before each point
        var table = SiteSeries.Timeline(conn, f, 5, 200);
        var points = table.Rows.Select(r => (long)r[0]!).Distinct().ToList();
        var atPoints = new SiteWatch(points.Select(Snapped).ToList());
        BlockReplay.LiveAfter(conn, id, null, atPoints);
        var biggest = atPoints.Max.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(5).Select(kv => kv.Key).ToList();
        var expectedRows = points.SelectMany((e, i) => biggest.Select(site => $"{e}|{sites[site].File}|{sites[site].Line}|{atPoints.AtMarks[i].GetValueOrDefault(site)}")).ToList();
        Assert.Equal(expectedRows, table.Rows.Select(r => $"{r[0]}|{r[2]}|{r[3]}|{r[5]}").ToList());
    }

    /// <summary>The sampler over every point, each run as many whole buckets as the stored series would use.</summary>
    static List<object?[]> Expected(List<(long Seq, long Line, long Bytes, long Blocks)> points, int n, int buckets)
    {
        long run = TimelineSampler.RunWidth(points.Count, n);
        long width = 1;
        while (points.Count > 2 * buckets * width) width *= 2;   // the series keeps buckets to 2 × buckets
        var sampler = TimelineSampler.OverBuckets(run < width ? run : (run + width - 1) / width * width);
        foreach (var p in points) sampler.AddBucket(new(p.Seq, p.Line, p.Bytes, p.Blocks), new(p.Seq, p.Line, p.Bytes, p.Blocks));
        var last = points[^1];
        sampler.EndsWith(new(last.Seq, last.Line, last.Bytes, last.Blocks));
        long? peak = sampler.Peak?.Event;
        return sampler.Points().Select(p => new object?[] { p.Event, p.Line, p.LiveBytes, p.LiveBlocks, p.Event == peak }).ToList();
    }

    static List<string> Rows(IEnumerable<object?[]> rows) => rows.Select(r => string.Join("|", r)).ToList();
}
