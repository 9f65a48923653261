using Dapper;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// The window replay behind windowed leaks, peak and functions: read in one pass or in two halves at once (as long
/// windows are), it gives the generator's blocks allocated in the window and live at its end, and sees every event once.
/// The trace is the second of its database, so its event ids do not start at 1.
/// </summary>
public sealed class WindowReplayTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Logs() => new()
    {
        { "gentrace-pyraw-callstack-2pids-seed8", "libc-3000-quirks" },
        { "libc-3000-quirks", "gentrace-pyraw-callstack-2pids-seed8" },
    };

    sealed class EventCount : WindowReplay.Counter
    {
        public long Events, Frees;
        public override void Count(ReadOnlySpan<long> r)
        {
            Events++;
            if (r[3] == 2) Frees++;
        }
        public override void Add(WindowReplay.Counter other) => (Events, Frees) = (Events + ((EventCount)other).Events, Frees + ((EventCount)other).Frees);
    }

    [Theory, MemberData(nameof(Logs))]
    public void One_pass_and_two_halves_give_the_models_blocks_live_at_the_windows_end(string log, string before)
    {
        InProcess.Import(_dir.Db, Fixtures.Generated(before + ".log"));
        var trace = InProcess.Import(_dir.Db, Fixtures.Generated(log + ".log")).TraceId;
        var model = new BlockModel(log + ".truth.json");
        using var conn = InProcess.Read(_dir.Db);
        var f = EventFilter.None.Resolve(conn, trace);
        Assert.True(f.FirstEventId > 1);
        long n = model.Events;
        var random = new Random(15);
        var windows = new List<(long From, long To)> { (1, n), (n / 3, 2 * n / 3), (2, n - 1), (n / 2, n / 2), (1, 1), (n, n) };
        for (int i = 0; i < 20; i++)
        {
            long a = random.NextInt64(1, n + 1), b = random.NextInt64(1, n + 1);
            windows.Add((Math.Min(a, b), Math.Max(a, b)));
        }
        long frees = 0;
        foreach (var (from, to) in windows)
        {
            var expected = model.Blocks.Where(b => b.Event >= from && b.Event <= to && b.LiveAfter(to))
                .Select(b => $"{b.Pid} {b.Event} {b.Size}").Order(StringComparer.Ordinal).ToList();
            foreach (long split in new[] { 0L, long.MaxValue })
            {
                var (live, counts) = WindowReplay.Run(conn, f.FirstEventId, from, to, () => new EventCount(), split);
                Assert.Equal(expected, live.Select(b => $"{b.Pid} {b.Event} {b.Size}").Order(StringComparer.Ordinal).ToList());
                Assert.Equal(to - from + 1, ((EventCount)counts!).Events);
                frees += ((EventCount)counts).Frees;
            }
        }
        Assert.True(frees > 0);   // the counter saw the frees as frees
    }

    /// <summary>_PyObject_Realloc(0x0, 24) with no result printed made no block live at import (HeapLedger): no replay makes one.</summary>
    [Fact]
    public void A_realloc_of_nothing_is_no_block_in_any_replay()
    {
        File.WriteAllText(_dir.File("r.log"), """
            dtrace:::BEGIN
            7 a.py:1 -> f _PyObject_Malloc(32) _PyObject_Malloc returns 0x1000
            7 a.py:2 -> g _PyObject_Realloc(0x0, 24)
            7 a.py:3 -> h _PyObject_Malloc(8) _PyObject_Malloc returns 0x2000
            dtrace:::END

            """);
        long id = TraceImporter.Import(_dir.Db, _dir.File("r.log"), force: false).TraceId;
        using var conn = InProcess.Read(_dir.Db);
        var f = EventFilter.None.Resolve(conn, id);
        Assert.Equal([1L, 3L], BlockReplay.LiveAfter(conn, id, null).Keys.Order());
        Assert.Equal([1L, 3L], WindowReplay.LiveAtEnd(conn, f.FirstEventId, 1, 3).Select(b => b.Event).Order());
        string Growth(EventFilter filter) => string.Join(";", SiteSeries.Growth(conn, filter.Resolve(conn, id), null).Rows.Select(r => $"{r[1]} {r[5]}"));
        Assert.Equal("3 8;1 32", Growth(new EventFilter(Pid: 7, From: 2, To: 3)));   // one pid: a replay of the blocks
        Assert.Equal("3 8;1 32", Growth(new EventFilter(From: 2, To: 3)));   // all pids: the sites from the kept values
        Assert.Equal([(32L, 1L), (32L, 1L), (40L, 2L)],   // and the view of each pid's own live bytes
            conn.Query<(long, long)>("SELECT live_bytes, live_blocks FROM pid_timeline WHERE trace_id = @id ORDER BY event", new { id }));
    }
}
