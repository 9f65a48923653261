using System.Text;
using Dapper;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// `leaks --by growth` in a window starts from the site values kept at import before the window and replays only the
/// window's events (each names the site of the block it released, or the block a missed free dropped). Its rows must be
/// those of the generator's blocks, and those of a replay of every block from the first event on a trace with missed
/// frees, reallocs, two pids and kept buckets wider than one event.
/// </summary>
public sealed class GrowthWindowTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static List<(long From, long To)> Windows(long n, int seed)
    {
        var random = new Random(seed);
        var windows = new List<(long, long)> { (1, n), (n / 3, 2 * n / 3), (2, n - 1), (n / 2, n / 2), (1, 1), (n, n), (1, n / 2), (n / 2, n) };
        for (int i = 0; i < 16; i++)
        {
            long a = random.NextInt64(1, n + 1), b = random.NextInt64(1, n + 1);
            windows.Add((Math.Min(a, b), Math.Max(a, b)));
        }
        return windows;
    }

    /// <summary>The slice ends of the growth ranking: the window cut into 20 runs (fewer when shorter).</summary>
    static List<long> Ends(long from, long to)
    {
        long span = to - from + 1;
        int slices = (int)Math.Min(SiteSeries.Slices, span);
        return Enumerable.Range(0, slices + 1).Select(j => from - 1 + (j * span + slices - 1) / slices).ToList();
    }

    static string Row(string site, IReadOnlyList<long> atEnds, long bytes, long blocks, long max) =>
        $"{site}|{Enumerable.Range(1, atEnds.Count - 1).Count(j => atEnds[j] > atEnds[j - 1])}|{atEnds.Count - 1}|{bytes}|{blocks}|{max}";

    static List<string> Rows(ReportTable table) => table.Rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}|{r[5]}|{r[6]}|{r[7]}").Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("libc-3000-quirks", "gentrace-pyraw-callstack-2pids-seed8")]
    [InlineData("gentrace-pyraw-callstack-2pids-seed8", "libc-3000-quirks")]
    public void Growth_in_a_window_ranks_the_generators_sites(string log, string before)
    {
        InProcess.Import(_dir.Db, Fixtures.Generated(before + ".log"));   // the trace's ids do not start at 1
        var trace = InProcess.Import(_dir.Db, Fixtures.Generated(log + ".log")).TraceId;
        var model = new BlockModel(log + ".truth.json");
        using var conn = InProcess.Read(_dir.Db);
        foreach (var (from, to) in Windows(model.Events, 15))
        {
            var ends = Ends(from, to);
            var expected = model.Blocks.Where(b => b.LiveAfter(to)).GroupBy(b => b.Site).Select(site =>
            {
                var all = model.Blocks.Where(b => b.Site == site.Key).ToList();
                long max = all.SelectMany(b => new[] { b.Event, b.End ?? long.MaxValue }).Where(e => e <= to).Distinct()
                    .Max(e => BlockModel.LiveBytes(all, e));
                return Row($"{site.Key.File}|{site.Key.Line}|{site.Key.Function}", ends.Select(e => BlockModel.LiveBytes(all, e)).ToList(),
                    BlockModel.LiveBytes(all, to), site.Count(), max);
            }).Order(StringComparer.Ordinal).ToList();
            var f = new EventFilter(From: from, To: to).Resolve(conn, trace);
            foreach (long split in new[] { 0L, long.MaxValue })   // two halves joined; one pass
                Assert.Equal(expected, Rows(SiteSeries.Growth(conn, f, null, split)));
        }
    }

    /// <summary>
    /// Two pids allocating, reallocating and freeing at random over 40,000 events; one free in 40 is left out, so the
    /// pointer's next allocation drops the block (events.replaced) — also a realloc's, in one event with its release.
    /// </summary>
    static string LogWithMissedFrees()
    {
        var rnd = new Random(23);
        var sb = new StringBuilder("dtrace:::BEGIN\n");
        var live = new Dictionary<int, List<long>> { [101] = [], [202] = [] };
        var reusable = new Dictionary<int, List<long>> { [101] = [], [202] = [] };   // pointers whose free went missing
        long next = 0x7f0000000000;
        long Pointer(int pid)
        {
            var free = reusable[pid];
            if (free.Count > 0 && rnd.Next(3) == 0)
            {
                long p = free[^1];
                free.RemoveAt(free.Count - 1);
                return p;
            }
            return next += 0x40;
        }
        for (int i = 0; i < 40_000; i++)
        {
            int pid = rnd.Next(2) == 0 ? 101 : 202;
            var blocks = live[pid];
            string site = $"m{i % 3}.py:{i % 5 + 1} -> f{i % 2}";   // 30 sites, each busy throughout
            double drift = Math.Sin(i / 3000.0) * 0.2, roll = rnd.NextDouble();
            if (blocks.Count > 0 && roll < 0.4 + drift)
            {
                int k = rnd.Next(blocks.Count);
                if (rnd.Next(40) == 0) reusable[pid].Add(blocks[k]);   // its free never printed: the block stays live
                else sb.Append($"{pid} {site} free(0x{blocks[k]:x})\n");
                blocks.RemoveAt(k);
            }
            else if (blocks.Count > 0 && roll < 0.5 + drift)
            {
                int k = rnd.Next(blocks.Count);
                long to = Pointer(pid);
                sb.Append($"{pid} {site} realloc(0x{blocks[k]:x}, {rnd.Next(1, 9000)}) pntr 0x{to:x}\n");
                blocks[k] = to;
            }
            else
            {
                long p = Pointer(pid);
                sb.Append($"{pid} {site} malloc({rnd.Next(1, 5000)}) pntr 0x{p:x}\n");
                blocks.Add(p);
            }
        }
        return sb.Append("dtrace:::END\n").ToString();
    }

    [Fact]
    public void Growth_in_a_window_equals_a_replay_of_every_block_with_missed_frees_and_wide_buckets()
    {
        File.WriteAllText(_dir.File("t.log"), LogWithMissedFrees());
        long id = TraceImporter.Import(_dir.Db, _dir.File("t.log"), force: false).TraceId;
        using var conn = Database.OpenReadOnly(_dir.Db);
        Assert.True(conn.ExecuteScalar<long>("SELECT site_bucket_width FROM trace_totals WHERE trace_id = @id", new { id }) >= 8);
        Assert.True(conn.ExecuteScalar<long>("SELECT count(*) FROM dropped_blocks WHERE trace_id = @id", new { id }) > 100);
        Assert.True(conn.ExecuteScalar<long>("SELECT count(*) FROM events WHERE trace_id = @id AND replaced = 1 AND kind = 'realloc' AND status = 'freed'", new { id }) > 0);
        long n = conn.ExecuteScalar<long>("SELECT events FROM traces WHERE id = @id", new { id });
        AssertGrowthIsEveryBlocks(conn, id, Windows(n, 16).Skip(1));   // the whole trace reads the kept values at bucket ends only
    }

    /// <summary>Sites whose bytes pass 2^63 - 1 (saturated) and come back down: the halves cannot be joined, the second is replayed again.</summary>
    [Fact]
    public void Growth_in_a_window_of_saturating_sites_equals_a_replay_of_every_block()
    {
        var sb = new StringBuilder("dtrace:::BEGIN\n");
        for (int i = 0; i < 3000; i++)   // each block lives 21 events: two or three huge ones at once
        {
            if (i % 2 == 0) sb.Append($"7 big.py:{i % 3 + 1} -> f malloc({(i % 8 == 0 ? long.MaxValue - 5 : 100 + i)}) pntr 0x{0x1000 + 0x10 * i:x}\n");
            else if (i > 21) sb.Append($"7 big.py:9 -> g free(0x{0x1000 + 0x10 * (i - 21):x})\n");
            else sb.Append($"7 big.py:9 -> g free(0x0)\n");
        }
        File.WriteAllText(_dir.File("s.log"), sb.Append("dtrace:::END\n").ToString());
        long id = TraceImporter.Import(_dir.Db, _dir.File("s.log"), force: false).TraceId;
        using var conn = Database.OpenReadOnly(_dir.Db);
        Assert.Contains(long.MaxValue, conn.Query<long>("SELECT max_bytes FROM site_timeline WHERE trace_id = @id", new { id }));
        AssertGrowthIsEveryBlocks(conn, id, Windows(3000, 17).Skip(1));
    }

    static void AssertGrowthIsEveryBlocks(Microsoft.Data.Sqlite.SqliteConnection conn, long id, IEnumerable<(long From, long To)> windows)
    {
        var sites = conn.Query<(long Id, string File, long Line, string Function)>("SELECT id, file, line, function FROM sites").ToDictionary(s => s.Id);
        foreach (var (from, to) in windows)
        {
            var ends = Ends(from, to);
            var every = new SiteWatch(ends);
            BlockReplay.LiveAfter(conn, id, to, every);
            var expected = every.Live.Where(kv => kv.Value > 0).Select(kv =>
            {
                var s = sites[kv.Key];
                return Row($"{s.File}|{s.Line}|{s.Function}", ends.Select((_, j) => every.AtMarks[j].GetValueOrDefault(kv.Key)).ToList(),
                    kv.Value, every.Blocks[kv.Key], every.Max[kv.Key]);
            }).Order(StringComparer.Ordinal).ToList();
            var f = new EventFilter(From: from, To: to).Resolve(conn, id);
            foreach (long split in new[] { 0L, long.MaxValue })   // two halves joined; one pass
                Assert.Equal(expected, Rows(SiteSeries.Growth(conn, f, null, split)));
        }
    }
}
