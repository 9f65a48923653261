using Dapper;
using PyMemTrace.Store;

namespace PyMemTrace.Tests;

/// <summary>
/// A trace that frees little brings more leaks than the database indexes: the import rebuilds the partial index
/// events_leaked instead of inserting into it (LeakMarks). The index is there afterwards, it finds every leak of
/// every trace, and the per-site leaks (from the allocation contexts) match the events marked leaked.
/// </summary>
public sealed class ManyLeaksTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pma-leaks-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A log of <paramref name="blocks"/> mallocs over 7 sites; every third block is freed.</summary>
    string Log(string name, int blocks, long pointerBase)
    {
        string path = Path.Combine(_dir, name);
        using var w = new StreamWriter(path);
        w.WriteLine("dtrace:::BEGIN");
        for (int i = 0; i < blocks; i++)
        {
            w.WriteLine($"  4711 app.py:{10 + i % 7}   -> grow malloc({16 + i % 100}) pntr 0x{pointerBase + 16L * i:x}");
            if (i % 3 == 0) w.WriteLine($"  4711 app.py:99   -> trim free(0x{pointerBase + 16L * i:x})");
        }
        w.WriteLine("dtrace:::END");
        return path;
    }

    [Fact]
    public void Leaks_past_the_indexed_ones_rebuild_the_index_and_every_trace_keeps_its_leaks()
    {
        string db = Path.Combine(_dir, "t.db");
        var sizes = new List<(long Trace, int Blocks)>();
        // first a small trace (index kept), then one with more leaks than indexed (rebuilt), then fewer again (kept)
        foreach (var (name, blocks, at) in new[] { ("small.log", 3_000, 0x10000L), ("big.log", 240_000, 0x7f0000000000L), ("mid.log", 160_000, 0x7f8000000000L) })
            sizes.Add((TraceImporter.Import(db, Log(name, blocks, at), force: false).TraceId, blocks));
        using var conn = Database.OpenReadOnly(db);
        Assert.Equal(1, conn.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_leaked'"));
        foreach (var (trace, blocks) in sizes)
        {
            long leaks = blocks - (blocks + 2) / 3;
            var p = new { trace };
            Assert.Equal(leaks, conn.ExecuteScalar<long>("SELECT count(*) FROM event_rows INDEXED BY events_leaked WHERE trace_id = @trace AND leaked = 1", p));
            Assert.Equal(leaks, conn.ExecuteScalar<long>("SELECT leaked_blocks FROM trace_totals WHERE trace_id = @trace", p));
            Assert.Equal(
                conn.Query<(long, long)>("SELECT site_id, sum(size) FROM events WHERE trace_id = @trace AND leaked = 1 GROUP BY site_id ORDER BY 1", p).ToList(),
                conn.Query<(long, long)>("SELECT site_id, bytes_outstanding FROM site_totals WHERE trace_id = @trace AND bytes_outstanding > 0 ORDER BY 1", p).ToList());
        }
    }
}
