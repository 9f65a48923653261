using Dapper;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests;

/// <summary>
/// What the import keeps besides the totals (context_totals, pid_totals, per-site temporaries) equals what the events
/// say when they are read again: the leaked events, the blocks live after the peak event (replayed), the per-pid view
/// pid_timeline, the view temporary_blocks. On every fixture with events.
/// </summary>
public sealed class KeptAtImportTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pma-kept-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Row(dynamic row) => string.Join("|", ((IDictionary<string, object>)row).Values);

    [Theory]
    [MemberData(nameof(ImportAndExportTests.Logs), MemberType = typeof(ImportAndExportTests))]
    public void Contexts_pids_and_temporaries_equal_the_events(string log)
    {
        string db = Path.Combine(_dir, "t.db");
        long id = TraceImporter.Import(db, Fixtures.Path_(log), force: false).TraceId;
        AssertKeptEqualsEvents(db, id);
    }

    /// <summary>
    /// 140,000 distinct sites: the per-site and per-context tables the import holds in memory grow past two of their
    /// chunks (65,536 each), and every site's values must come back whole. Site i mallocs (i % 997) + 1 bytes; every
    /// third block is freed from a site of its own, every fifth site mallocs twice and frees once right after
    /// (a temporary allocation).
    /// </summary>
    [Fact]
    public void Kept_tables_stay_exact_past_many_chunks_of_sites()
    {
        const int sites = 140_000;
        string log = Path.Combine(_dir, "sites.log");
        using (var w = new StreamWriter(log))
        {
            w.WriteLine("dtrace:::BEGIN");
            var freeLater = new List<long>();
            for (int i = 0; i < sites; i++)
            {
                long ptr = 0x7f0000000000L + 16L * i;
                w.WriteLine($" 4242 mod{i % 7}.py:{i}  -> f{i} malloc({i % 997 + 1}) pntr 0x{ptr:x}");
                if (i % 5 == 0)
                {
                    long temp = 0x7e0000000000L + 16L * i;
                    w.WriteLine($" 4242 mod{i % 7}.py:{i}  -> f{i} malloc(24) pntr 0x{temp:x}");
                    w.WriteLine($" 4242 mod{i % 7}.py:{i}  -> f{i} free(0x{temp:x})");
                }
                if (i % 3 == 0) freeLater.Add(ptr);
            }
            foreach (long ptr in freeLater) w.WriteLine($" 4242 release.py:1  -> release free(0x{ptr:x})");
            w.WriteLine("dtrace:::END");
        }
        string db = Path.Combine(_dir, "sites.db");
        long id = TraceImporter.Import(db, log, force: false).TraceId;
        using (var conn = Database.OpenReadOnly(db))
        {
            Assert.Equal(sites + 1, conn.ExecuteScalar<long>("SELECT count(*) FROM site_totals WHERE trace_id = @id", new { id }));
            // the last site, in the third chunk: its malloc (139995 % 997 + 1 = 416 bytes) and its temporary block
            Assert.Equal("1|2|440|24", Row(conn.QuerySingle(
                "SELECT t.allocs - 1, t.allocs, t.bytes_allocated, t.temporary_bytes FROM site_totals t JOIN sites s ON s.id = t.site_id WHERE t.trace_id = @id AND s.function = 'f139995'",
                new { id })));
            Assert.Equal(sites - (sites + 2) / 3, conn.ExecuteScalar<long>("SELECT sum(leaked_blocks) FROM context_totals WHERE trace_id = @id", new { id }));
            // the site timeline keeps the finest width the trace's 242,667 events allow in 4,096 buckets (64): one entry a
            // site is what any width needs, so the sites alone never coarsen it (they took it to 32,768: 8 buckets)
            Assert.Equal(64, conn.ExecuteScalar<long>("SELECT site_bucket_width FROM trace_totals WHERE trace_id = @id", new { id }));
            Assert.Equal(242_667, conn.ExecuteScalar<long>("SELECT events FROM traces WHERE id = @id", new { id }));
            // every site's most live bytes: its block (and its temporary one, live together for an event)
            Assert.Equal(0, conn.ExecuteScalar<long>("""
                SELECT count(*) FROM site_totals t JOIN sites s ON s.id = t.site_id
                WHERE t.trace_id = @id AND s.function <> 'release'
                  AND t.max_live_bytes <> s.line % 997 + 1 + (CASE WHEN s.line % 5 = 0 THEN 24 ELSE 0 END)
                """, new { id }));
        }
        AssertKeptEqualsEvents(db, id);
    }

    /// <summary>
    /// 70,000 sites, each changing six times across the trace (three rounds of a malloc each, then a free of each):
    /// the site timeline stays within two rows a site plus 65,536, and still holds more than one bucket. A bound of
    /// 65,536 rows in all cannot hold here (each site needs a row at any width) and, once passed, bounded nothing.
    /// </summary>
    [Fact]
    public void The_site_timeline_of_a_trace_with_many_busy_sites_stays_bounded()
    {
        const int sites = 70_000, rounds = 3;
        string log = Path.Combine(_dir, "busy-sites.log");
        using (var w = new StreamWriter(log))
        {
            w.WriteLine("dtrace:::BEGIN");
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < sites; i++) w.WriteLine($" 4242 m.py:{i}  -> f malloc(16) pntr 0x{0x7f0000000000L + 16L * i:x}");
                for (int i = 0; i < sites; i++) w.WriteLine($" 4242 release.py:1  -> release free(0x{0x7f0000000000L + 16L * i:x})");
            }
            w.WriteLine("dtrace:::END");
        }
        string db = Path.Combine(_dir, "busy-sites.db");
        long id = TraceImporter.Import(db, log, force: false).TraceId;
        using var conn = Database.OpenReadOnly(db);
        long rows = conn.ExecuteScalar<long>("SELECT count(*) FROM site_timeline WHERE trace_id = @id", new { id });
        long width = conn.ExecuteScalar<long>("SELECT site_bucket_width FROM trace_totals WHERE trace_id = @id", new { id });
        Assert.InRange(rows, sites, 65_536 + 2L * sites);
        Assert.True(width < 2L * sites * rounds, $"the timeline kept one bucket only (width {width})");
        // every site ends empty, and its row at the last bucket says so
        Assert.Equal(0, conn.ExecuteScalar<long>("""
            SELECT count(*) FROM site_timeline t WHERE trace_id = @id AND live_bytes <> 0
              AND bucket = (SELECT max(bucket) FROM site_timeline u WHERE u.trace_id = t.trace_id AND u.site_id = t.site_id)
            """, new { id }));
    }

    static void AssertKeptEqualsEvents(string db, long id)
    {
        using var conn = Database.OpenReadOnly(db);
        var p = new { id };

        // requested and leaked per (site, stack): the (re)allocation events, and those marked leaked
        string byContext = """
            SELECT site_id, coalesce(stack_id, 0), count(*), {0} FROM events
            WHERE trace_id = @id AND kind <> 'free' {1} GROUP BY site_id, coalesce(stack_id, 0) ORDER BY 1, 2
            """;
        var allocated = conn.Query(SaturatingSumSql.Expand(string.Format(byContext, "saturating_sum(size)", "")), p).Select(Row).ToList();
        Assert.NotEmpty(allocated);
        // stored in index order, (site, stack): what makes each insert an append
        var stored = conn.Query<(long Site, long Stack)>("SELECT site_id, coalesce(stack_id, 0) FROM context_totals WHERE trace_id = @id ORDER BY rowid", p).ToList();
        Assert.Equal(stored.OrderBy(c => c.Site).ThenBy(c => c.Stack), stored);
        Assert.Equal(allocated, conn.Query(
            "SELECT site_id, coalesce(stack_id, 0), allocs, bytes_allocated FROM context_totals WHERE trace_id = @id ORDER BY 1, 2", p).Select(Row).ToList());
        var leaked = conn.Query(SaturatingSumSql.Expand(string.Format(byContext, "saturating_sum(size)", "AND leaked = 1")), p).Select(Row).ToList();
        Assert.Equal(leaked, conn.Query(
            "SELECT site_id, coalesce(stack_id, 0), leaked_blocks, leaked_bytes FROM context_totals WHERE trace_id = @id AND leaked_blocks > 0 ORDER BY 1, 2", p).Select(Row).ToList());

        // live at the peak per (site, stack): the blocks the replay holds after the peak event
        long peak = conn.ExecuteScalar<long?>("SELECT peak_event FROM trace_totals WHERE trace_id = @id", p) ?? 0;
        var atPeak = peak == 0 ? [] : BlockReplay.LiveAfter(conn, id, peak).Values
            .GroupBy(b => (b.SiteId, b.StackId)).OrderBy(g => g.Key)
            .Select(g => $"{g.Key.SiteId}|{g.Key.StackId}|{g.Count()}|{Saturating.Sum(g.Select(b => b.Size))}").ToList();
        Assert.Equal(atPeak, conn.Query(
            "SELECT site_id, coalesce(stack_id, 0), peak_blocks, peak_bytes FROM context_totals WHERE trace_id = @id AND peak_blocks > 0 ORDER BY 1, 2", p).Select(Row).ToList());

        // per pid: events, its own peak (the view pid_timeline), its leaks
        var pidsFromEvents = conn.Query(SaturatingSumSql.Expand("""
            SELECT pid, count(*), (SELECT max(live_bytes) FROM pid_timeline t WHERE t.trace_id = @id AND t.pid = e.pid),
                   (SELECT count(*) FROM events l WHERE l.trace_id = @id AND l.pid = e.pid AND l.leaked = 1),
                   (SELECT coalesce(saturating_sum(size), 0) FROM events l WHERE l.trace_id = @id AND l.pid = e.pid AND l.leaked = 1)
            FROM events e WHERE trace_id = @id GROUP BY pid ORDER BY pid
            """), p).Select(Row).ToList();
        Assert.NotEmpty(pidsFromEvents);
        Assert.Equal(pidsFromEvents, conn.Query(
            "SELECT pid, events, max(peak_bytes, 0), leaked_blocks, leaked_bytes FROM pid_totals WHERE trace_id = @id ORDER BY pid", p).Select(Row).ToList());

        // requested bytes by call stack (the stacks report reads context_totals): the view stack_totals over the events
        if (conn.ExecuteScalar<long>("SELECT count(*) FROM context_totals WHERE trace_id = @id AND stack_id IS NOT NULL", p) > 0)
            Assert.Equal(
                conn.Query<(string, long, long)>("SELECT path, allocs + reallocs, bytes FROM stack_totals WHERE trace_id = @id", p)
                    .Select(t => $"{t.Item1}|{t.Item2}|{t.Item3}").Order().ToList(),
                StackReports.Stacks(conn, id, null).Rows.Select(r => $"{r[0]}|{r[2]}|{r[3]}").Order().ToList());

        // temporary allocations per site: the view temporary_blocks
        Assert.Equal(
            conn.Query(SaturatingSumSql.Expand("SELECT site_id, count(*), saturating_sum(size) FROM temporary_blocks WHERE trace_id = @id GROUP BY site_id ORDER BY site_id"), p).Select(Row).ToList(),
            conn.Query("SELECT site_id, temporary_allocs, temporary_bytes FROM site_totals WHERE trace_id = @id AND temporary_allocs > 0 ORDER BY site_id", p).Select(Row).ToList());
        const string temporary = "SELECT file, line, function, count, bytes, allocs FROM {0} WHERE trace_id = @id ORDER BY file, line, function";
        Assert.Equal(conn.Query(string.Format(temporary, "temporary_sites"), p).Select(Row).ToList(),
            conn.Query(string.Format(temporary, "temporary_sites_stored"), p).Select(Row).ToList());
    }
}
