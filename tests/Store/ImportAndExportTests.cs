using Dapper;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using PyMemTrace.Reports.Export;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;

namespace PyMemTrace.Tests;

/// <summary>The fast import keeps the accounting of the views, and the Parquet export carries the same numbers.</summary>
public sealed class ImportAndExportTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pma-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    public static TheoryData<string> Logs() => new(
        Directory.GetFiles(Fixture("seed"), "*.log").Concat(Directory.GetFiles(Fixture("generated"), "*.log"))
            .Concat(Directory.GetFiles(Fixture("numbers"), "*.log"))
            .Select(p => Path.GetRelativePath(Fixture(""), p)).Order());

    ImportResult Import(string log, string db) => TraceImporter.Import(Path.Combine(_dir, db), Fixture(log), force: false);

    [Theory]
    [MemberData(nameof(Logs))]
    public void Totals_kept_at_import_equal_the_views_over_the_events(string log)
    {
        var r = Import(log, "t.db");
        using var conn = Database.OpenReadOnly(Path.Combine(_dir, "t.db"));
        var stored = conn.QuerySingle("SELECT * FROM trace_summary_stored WHERE trace_id = @id", new { id = r.TraceId });
        var scanned = conn.QuerySingle("SELECT * FROM trace_summary WHERE trace_id = @id", new { id = r.TraceId });
        Assert.Equal((IDictionary<string, object>)scanned, (IDictionary<string, object>)stored);
        const string functions = "SELECT file, function, allocs, reallocs, bytes_allocated, frees, bytes_freed, bytes_outstanding FROM {0} WHERE trace_id = @id ORDER BY file, function";
        var fromTotals = conn.Query(string.Format(functions, "function_totals_stored"), new { id = r.TraceId }).Select(Row).ToList();
        var fromEvents = conn.Query(string.Format(functions, "function_totals"), new { id = r.TraceId }).Select(Row).ToList();
        Assert.NotEmpty(fromEvents);
        Assert.Equal(fromEvents, fromTotals);
        const string sizes = "SELECT bucket, count, bytes FROM {0} WHERE trace_id = @id ORDER BY bucket";
        var sizesFromEvents = conn.Query(string.Format(sizes, "size_buckets"), new { id = r.TraceId }).Select(Row).ToList();
        Assert.NotEmpty(sizesFromEvents);
        Assert.Equal(sizesFromEvents, conn.Query(string.Format(sizes, "size_totals"), new { id = r.TraceId }).Select(Row).ToList());
        // malloc_reconcile reads the malloc counts and bytes kept per site: the same as the malloc events'
        var mallocsFromEvents = conn.Query<(long Site, long Count, long High, long Low)>(
                "SELECT site_id, count(*), sum(size >> 32), sum(size & 4294967295) FROM events WHERE trace_id = @id AND kind = 'malloc' GROUP BY site_id ORDER BY site_id",
                new { id = r.TraceId })
            .Select(m => (m.Site, m.Count, Saturating.ToInt64(((Int128)m.High << 32) + m.Low))).ToList();
        var mallocsStored = conn.Query<(long, long, long)>(
            "SELECT site_id, mallocs, malloc_bytes FROM site_totals WHERE trace_id = @id AND mallocs > 0 ORDER BY site_id", new { id = r.TraceId }).ToList();
        Assert.Equal(mallocsFromEvents, mallocsStored);
    }

    static string Row(dynamic row) => string.Join("|", ((IDictionary<string, object>)row).Values);

    [Fact]
    public void The_pipeline_stores_the_same_rows_as_the_plain_sink()
    {
        var log = Fixture("generated/libc-3000-quirks.log");
        var r = Import("generated/libc-3000-quirks.log", "pipeline.db");
        Assert.Equal(3000, r.Events);
        Assert.True(r.FlowLines > 0 && r.Aggregations > 0 && r.Unparsed > 0);
        string plainDb = ImportWithPlainSink(log);
        foreach (var sql in new[]
                 {
                     "SELECT id, seq, line, pid, kind, api, site_id, size, nmemb, elsize, ptr, old_ptr, status, freed_bytes, replaced, live_bytes, live_blocks, chain_id, leaked, stack_id FROM events ORDER BY id",
                     "SELECT line, pid, type, file, file_line, function FROM flow ORDER BY line",
                     "SELECT line, kind, text FROM notes ORDER BY line", "SELECT line, text FROM unparsed ORDER BY line",
                     "SELECT * FROM stacks ORDER BY id", "SELECT * FROM sites ORDER BY id", "SELECT * FROM site_totals ORDER BY site_id",
                     "SELECT line, section, key, kind, total FROM agg_tables ORDER BY id",
                 })
        {
            using var a = Database.OpenReadOnly(Path.Combine(_dir, "pipeline.db"));
            using var b = Database.OpenReadOnly(plainDb);
            var left = a.Query(sql).Select(Row).ToList();
            Assert.NotEmpty(left);
            Assert.Equal(left, b.Query(sql).Select(Row).ToList());
        }
    }

    /// <summary>Imports with the TraceWriter as a plain ITraceSink: one thread, every line as text.</summary>
    string ImportWithPlainSink(string log)
    {
        string plainDb = Path.Combine(_dir, "plain.db");
        using var conn = Database.OpenForWrite(plainDb);
        using var tx = conn.BeginTransaction();
        long id = conn.ExecuteScalar<long>("INSERT INTO traces(source, name, sha256, bytes, imported_at, lines, events, flow_lines, notes, unparsed_lines, aggregations, tool_version) VALUES ('x', 'x', '', 0, '', 0, 0, 0, 0, 0, 0, '') RETURNING id", transaction: tx);
        using (var writer = new TraceWriter(conn, tx, id))
        {
            using var stream = File.OpenRead(log);
            new PyMemTrace.Parser.TraceReader(writer).Read(new PyMemTrace.Parser.Input.LineReader(stream));
            writer.MarkLeaks();
        }
        tx.Commit();
        return plainDb;
    }

    /// <summary>
    /// The pipeline reads ASCII event lines from their bytes (no string per line); every other line goes the way of
    /// text. Both ways must store the same rows, and the same site seen either way is one site.
    /// </summary>
    [Fact]
    public void The_bytes_path_stores_the_same_rows_as_the_text_path()
    {
        string logPath = Path.Combine(_dir, "mixed.log");
        File.WriteAllBytes(logPath, MixedLog());
        var r = TraceImporter.Import(Path.Combine(_dir, "pipeline.db"), logPath, force: false);
        Assert.Equal(9, r.Events);
        string plainDb = ImportWithPlainSink(logPath);
        using var a = Database.OpenReadOnly(Path.Combine(_dir, "pipeline.db"));
        using var b = Database.OpenReadOnly(plainDb);
        foreach (var sql in new[]
                 {
                     "SELECT id, seq, line, pid, kind, api, site_id, size, nmemb, elsize, ptr, old_ptr, status, freed_bytes, replaced, live_bytes, live_blocks, chain_id, leaked FROM events ORDER BY id",
                     "SELECT * FROM sites ORDER BY id", "SELECT line, kind, text FROM notes ORDER BY line", "SELECT line, text FROM unparsed ORDER BY line",
                 })
            Assert.Equal(a.Query(sql).Select(Row).ToList(), b.Query(sql).Select(Row).ToList());
        Assert.Equal(["a.py|3|f", "b.py|9|<module>", "café.py|5|h", "naïve.py|4|g"],
            a.Query("SELECT file, line, function FROM sites ORDER BY file").Select(Row).ToArray());
        Assert.Equal(5, a.ExecuteScalar<long>("SELECT count(*) FROM events WHERE site_id = (SELECT id FROM sites WHERE file = 'a.py')"));
    }

    static byte[] MixedLog()
    {
        var log = new List<byte>();
        void Line(string text, bool crlf = false) => log.AddRange(System.Text.Encoding.UTF8.GetBytes(text + (crlf ? "\r\n" : "\n")));
        Line("dtrace:::BEGIN");
        Line(" 7 a.py:3 -> f malloc(16) pntr 0x10");                          // bytes
        Line(" 7 a.py:3 -> f malloc(17) pntr 0x20", crlf: true);              // bytes, CR dropped
        Line(" 7 a.py:3 -> f \u001b[0mmalloc(18) pntr 0x30");                 // escape sequence: text, same site
        Line(" 7 a.py:3 -> f malloc(99999999999999999999) pntr 0x40");        // overflow: the grammar decides (unparsed)
        Line(" 7 naïve.py:4 -> g calloc(2, 8) pntr 0x50");                    // UTF-8: text
        log.AddRange([.. " 7 caf"u8, 0xE9, .. ".py:5 -> h free(0x10)\n"u8]);  // Latin-1: text
        Line(" 7 naïve.py:4 -> g free(0x50)");
        Line(" 8   b.py:9   -> <module> realloc(0x20, 64) pntr 0x60  ");        // bytes, padded
        Line(" 8 a.py:3 -> f free(0x20)", crlf: true);                        // bytes, another pid
        Line("");
        Line(" 7 a.py:3 -> f _PyMem_RawMalloc(1)");                           // split call: text
        Line(" _PyMem_RawMalloc returns 0x70");
        Line("dtrace:::END");
        return log.ToArray();
    }

    /// <summary>
    /// Events go in 32 rows per INSERT OR FAIL, which stops at a failing row without undoing the rows before it in the
    /// statement: the import's one transaction must still leave the database exactly as it was.
    /// </summary>
    [Fact]
    public void An_import_that_fails_mid_insert_leaves_the_database_as_it_was()
    {
        string db = Path.Combine(_dir, "fail.db");
        var first = Import("seed/01-11672-cmalloc.log", "fail.db");
        string log = Path.Combine(_dir, "long.log");
        File.WriteAllLines(log, new[] { "dtrace:::BEGIN" }
            .Concat(Enumerable.Range(0, 12000).Select(i => $" 7 a.py:{i % 50} -> f malloc({i + 1}) pntr 0x{i + 1:x}"))
            .Append("dtrace:::END"));
        string Snapshot()
        {
            using var c = Database.OpenReadOnly(db);
            return string.Join("\n", new[] { "SELECT * FROM traces", "SELECT * FROM events ORDER BY id", "SELECT * FROM sites ORDER BY id", "SELECT * FROM trace_totals" }
                .SelectMany(sql => c.Query(sql).Select(Row)));
        }
        using (var conn = Database.OpenForWrite(db)) // the next trace's event 10001 fails, inside a 32-row statement
            conn.Execute($"CREATE TRIGGER fail_10001 BEFORE INSERT ON event_rows WHEN NEW.trace_id = {first.TraceId + 1} AND NEW.seq = 10001 BEGIN SELECT RAISE(FAIL, 'event 10001 refused'); END");
        string before = Snapshot();
        var e = Assert.Throws<StoreException>(() => TraceImporter.Import(db, log, force: false));
        Assert.Contains("event 10001 refused", e.Message);
        Assert.Equal(before, Snapshot());
        using var check = Database.OpenReadOnly(db);
        Assert.Equal("ok", check.ExecuteScalar<string>("PRAGMA integrity_check"));
    }

    [Fact]
    public void A_second_trace_keeps_the_indexes_and_gets_its_own_totals()
    {
        var first = Import("seed/01-11672-cmalloc.log", "two.db");
        var second = Import("generated/pyobject-3000-quirks.log", "two.db");
        using var conn = Database.OpenReadOnly(Path.Combine(_dir, "two.db"));
        Assert.Equal(2, conn.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_rows'"));
        // each trace's events are its id range, in seq order
        foreach (var t in new[] { first, second })
            Assert.Equal(0, conn.ExecuteScalar<long>(
                "SELECT count(*) FROM events e JOIN traces t ON t.id = @id WHERE e.trace_id = @id AND (e.id NOT BETWEEN t.first_event_id AND t.last_event_id OR e.seq <> e.id - t.first_event_id + 1)",
                new { id = t.TraceId }));
        Assert.Equal(second.Events, conn.ExecuteScalar<long>("SELECT last_event_id - first_event_id + 1 FROM traces WHERE id = @id", new { id = second.TraceId }));
        Assert.Equal(2, conn.ExecuteScalar<long>("SELECT count(*) FROM trace_totals"));
        Assert.Equal(second.Events, conn.ExecuteScalar<long>("SELECT count(*) FROM events WHERE trace_id = @id", new { id = second.TraceId }));
        Assert.Equal(
            conn.ExecuteScalar<long>("SELECT bytes_outstanding FROM trace_summary WHERE trace_id = @id", new { id = first.TraceId }),
            conn.ExecuteScalar<long>("SELECT bytes_outstanding FROM trace_totals WHERE trace_id = @id", new { id = first.TraceId }));
    }

    [Fact]
    public void DuckDB_reads_the_Parquet_export_and_finds_the_leaks_of_the_leaks_report()
    {
        Import("generated/libc-3000-quirks.log", "x.db");
        var second = Import("seed/04-12263-pymalloc-767.log", "x.db");
        string outDir = Path.Combine(_dir, "parquet");
        using var conn = Database.OpenReadOnly(Path.Combine(_dir, "x.db"));
        var written = ParquetExport.Write(conn, outDir, traceId: null).ToDictionary(w => w.Table, w => w.Rows);
        Assert.Equal(2, written["traces"]);
        Assert.Equal(conn.ExecuteScalar<long>("SELECT count(*) FROM events"), written["events"]);
        Assert.True(written["aggregations"] > 0);

        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        foreach (var traceId in new long[] { 1, second.TraceId })
        {
            var expected = MemoryReports.LeakSites(conn, traceId, top: null).Rows
                .Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}").Order().ToList();
            Assert.NotEmpty(expected);
            var got = duck.Query<(string File, long Line, string Function, long Count, decimal Bytes)>(
                    $"SELECT file, line, function, count(*), sum(size) FROM '{outDir}/leaks.parquet' WHERE trace_id = {traceId} GROUP BY ALL")
                .Select(r => $"{r.File}|{r.Line}|{r.Function}|{r.Count}|{r.Bytes}").Order().ToList();
            Assert.Equal(expected, got);
            var summary = MemoryReports.Summary(conn, traceId).Rows[0];
            var fromEvents = duck.QuerySingle<(decimal Bytes, decimal Freed, long Peak)>(
                $"SELECT sum(size), sum(freed_bytes), max(live_bytes) FROM '{outDir}/events.parquet' WHERE trace_id = {traceId}");
            Assert.Equal((long)summary[8]!, (long)fromEvents.Bytes);
            Assert.Equal((long)summary[9]!, (long)fromEvents.Freed);
            Assert.Equal((long)summary[12]!, fromEvents.Peak);
        }
    }
}
