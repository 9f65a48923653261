using System.Text.Json;
using Dapper;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>
/// Real output of every dialect the parser reads (tests/fixtures/corpus and corpus-bpftrace, sources in their
/// MANIFEST.md): the exact tables, keys, bucket rows, counts and notice kinds, one test per shape.
/// </summary>
public sealed class DialectTests
{
    sealed record Table(long Id, long Line, string Section, string Key, string Key_Text, string Kind, long? Total, string Form);

    sealed class Imported : IDisposable
    {
        readonly Fixture _fx = new();
        public readonly long Trace;
        public readonly Microsoft.Data.Sqlite.SqliteConnection Conn;

        public Imported(string fixture)
        {
            Trace = _fx.Import(fixture);
            Conn = _fx.Open();
        }

        public List<Table> Tables() =>
            Conn.Query<Table>("SELECT id, line, section, key, key_text, kind, total, form FROM agg_tables WHERE trace_id = @Trace ORDER BY id", new { Trace }).ToList();

        /// <summary>"value:count" per row, "bound value:count" on open-ended rows.</summary>
        public string Rows(Table t) => string.Join(" ", Conn.Query<string>(
            "SELECT coalesce(bound || ' ', '') || value || ':' || count FROM agg_buckets WHERE table_id = @Id ORDER BY ord", t));

        public List<(long Line, string Kind, long? Number)> Notices() =>
            Conn.Query<(long, string, long?)>("SELECT line, kind, number FROM notices WHERE trace_id = @Trace ORDER BY line", new { Trace }).ToList();

        public string NoteKind(long line) =>
            Conn.ExecuteScalar<string>("SELECT kind FROM notes WHERE trace_id = @Trace AND line = @line", new { Trace, line })!;

        public void Dispose()
        {
            Conn.Dispose();
            _fx.Dispose();
        }
    }

    static string[] Key(Table t) => JsonSerializer.Deserialize<string[]>(t.Key)!;

    [Fact]
    public void An_integer_line_above_a_header_is_the_key_of_its_table()
    {
        using var db = new Imported("corpus/dtrace-utils-tst.lquantize.txt");
        var tables = db.Tables();
        Assert.Equal(10, tables.Count);
        Assert.Equal(["0", "100", "200", "300", "400", "500", "600", "700", "800", "900"], tables.Select(t => Key(t).Single()));
        Assert.All(tables, t => Assert.Equal("lquantize", t.Kind));
        Assert.Equal("-100:0 0:1 100:0", db.Rows(tables[0]));
        Assert.Equal("800:0 900:1 1000:0", db.Rows(tables[9]));
        Assert.Equal([3L, 9, 15, 21, 27, 33, 39, 45, 51, 57], tables.Select(t => t.Line));
    }

    [Fact]
    public void Oracle_llquantize_rows_below_and_around_zero_are_buckets()
    {
        using var db = new Imported("corpus/dtrace-utils-tst.llquantize_basic.txt");
        var tables = db.Tables();
        Assert.Equal(14, tables.Count);
        Assert.Equal("<= -16:164 -8:180 -4:285 -2:195 -1:99 0:100 1:101 2:205 4:315 8:220 >= 16:236", db.Rows(tables[0]));
        var basicD = tables[3];
        Assert.Equal((66L, "llquantize"), (basicD.Line, basicD.Kind));
        var rows = db.Conn.Query<(string?, long, long)>("SELECT bound, value, count FROM agg_buckets WHERE table_id = @Id ORDER BY ord", basicD).ToList();
        Assert.Equal(147, rows.Count);
        Assert.Equal(38526, rows.Sum(r => r.Item3));
        Assert.Equal([("<=", -16384L, 6L), ("abs() <", 256, 130), (">=", 16384, 6)], rows.Where(r => r.Item1 is not null));
        Assert.Equal("llquantize,llquantize,llquantize,llquantize,quantize,quantize,quantize,lquantize,lquantize,llquantize,llquantize,llquantize,llquantize,quantize",
            string.Join(",", tables.Select(t => t.Kind)));
        Assert.Empty(db.Conn.Query<string>("SELECT text FROM unparsed WHERE trace_id = @Trace", new { db.Trace }));
    }

    [Fact]
    public void Flow_trace_returns_are_notes_not_aggregations()
    {
        using var db = new Imported("corpus/toolkit-dapptrace.txt");
        Assert.Empty(db.Tables());
        Assert.Equal("text", db.NoteKind(12)); // "   <- __fsr = 122"
        using var flowtime = new Imported("corpus/toolkit-j_flowtime.txt");
        Assert.Empty(flowtime.Tables()); // "  0 311481/2     4790256870903            2 -> java/lang/Object.<clinit>"
        using var flowindent = new Imported("corpus/dtrace-utils-tst.flowindent.x86_64.txt");
        Assert.Empty(flowindent.Tables()); // " => read                                  syscall: 40"
    }

    [Fact]
    public void A_printa_key_line_above_a_blank_line_and_a_header_is_the_key()
    {
        using var db = new Imported("corpus/toolkit-pridist.txt");
        var tables = db.Tables();
        Assert.Equal(["CMD: setiathome|PID: 2190", "CMD: sshd|PID: 9172", "CMD: mozilla-bin|PID: 3164", "CMD: perl|PID: 11544"],
            tables.Select(t => string.Join("|", Key(t))));
        Assert.All(tables, t => Assert.Equal("lquantize", t.Kind));
        Assert.Equal("50:0 55:10 60:0", db.Rows(tables[1]));
        Assert.Equal([6629L, 10, 20, 320], tables.Select(t => db.Conn.ExecuteScalar<long>("SELECT sum(count) FROM agg_buckets WHERE table_id = @Id", t)));
    }

    [Fact]
    public void Prose_and_bcc_memleak_address_lines_are_no_aggregations()
    {
        using var memleak = new Imported("corpus-bpftrace/bcc-memleak.txt");
        Assert.Empty(memleak.Tables());
        Assert.Equal("text", memleak.NoteKind(38)); // "        addr = 948cd0 size = 16"
        using var ssl = new Imported("corpus-bpftrace/bpftrace-ssllatency.txt");
        Assert.DoesNotContain(ssl.Tables(), t => t.Line is 15 or 62); // "  Non-2xx or 3xx responses: 1400"
        Assert.Equal("text", ssl.NoteKind(6)); // "For example:" is prose, no section title
        using var loads = new Imported("corpus/toolkit-loads.txt");
        Assert.Empty(loads.Tables()); // "   2005 Jun 11 01:30:49,  load average: 3.52, 3.45, 3.05"
        using var crash = new Imported("corpus/toolkit-crash.txt");
        Assert.Empty(crash.Tables()); // a process tree, "    2877 procmail -m\0" and deeper
        using var tcplife = new Imported("corpus-bpftrace/bpftrace-tcplife.txt");
        Assert.Empty(tcplife.Tables());
        using var execsnoop = new Imported("corpus-bpftrace/bpftrace-execsnoop.txt");
        Assert.Empty(execsnoop.Tables());
    }

    [Fact]
    public void A_stack_in_the_middle_of_a_real_key_keeps_its_frames_and_the_columns_on_both_sides()
    {
        using var db = new Imported("corpus/dtrace-utils-tst.ustack.txt"); // @['a', uaddr, ufunc, umod, usym, ustack(5), 4] = sum()
        var entry = Assert.Single(db.Tables());
        var key = Key(entry);
        Assert.Equal(7, key.Length);
        Assert.Equal(("97", "ustack-tst-basic`myfunc_y+{ptr}", "ustack-tst-basic`myfunc_y", "ustack-tst-basic", "ustack-tst-basic`myfunc_y", "4"),
            (key[0], key[1], key[2], key[3], key[4], key[6]));
        Assert.Equal(["ustack-tst-basic`myfunc_z+{ptr}", "ustack-tst-basic`myfunc_y+{ptr}", "ustack-tst-basic`myfunc_x+{ptr}",
            "ustack-tst-basic`myfunc_w+{ptr}", "ustack-tst-basic`myfunc_v+{ptr}"], key[5].Split('\n'));
        Assert.Equal((18L, 1234L), (entry.Line, entry.Total!.Value));
        Assert.Equal("text", db.NoteKind(1)); // the printf'd trace output above it
    }

    [Fact]
    public void A_stack_in_the_middle_of_a_key_keeps_its_frames_and_the_columns_on_both_sides()
    {
        using var db = new Imported("corpus/constructed-printa-stack-mid-key.txt");
        var tables = db.Tables();
        Assert.Equal(2, tables.Count);
        Assert.Equal(["1700000000", "bufmod`sbrput+0xb9\nunix`putnext+0x1b7\npts`ptswput+0x1e1", "7"], Key(tables[0]));
        Assert.Equal((8L, 12L), (tables[0].Line, tables[0].Total!.Value));
        Assert.Equal(["1700000001", "ip`ip_fanout_proto+0x4d2\nip`ip_proto_input+0x616"], Key(tables[1]));
        Assert.Equal((13L, 3L), (tables[1].Line, tables[1].Total!.Value));
    }

    [Theory]
    [InlineData("corpus/dtrace-utils-drp.DTRACEDROP_AGGREGATION.txt", "3:aggregation_drops:3")]
    [InlineData("corpus/dtrace-utils-drp.DTRACEDROP_DBLERROR.txt", "4:probes_matched:3 5:other_drops:1 6:error:")]
    [InlineData("corpus/dtrace-utils-demo-error.txt", "4:probes_matched:2 5:error:")]
    [InlineData("corpus-bpftrace/constructed-bpftrace-lost.txt", "3:buffer_drops:42 4:other_drops:128")]
    public void Drop_and_error_notices_of_every_dialect_set_the_drop_verdict(string fixture, string notices)
    {
        using var db = new Imported(fixture);
        Assert.Equal(notices, string.Join(" ", db.Notices().Select(n => $"{n.Line}:{n.Kind}:{n.Number}")));
        var loss = PyMemTrace.Reports.Queries.DropReports.Assess(db.Conn, db.Trace);
        Assert.True(loss.DroppedRecordsSuspected);
    }

    [Fact]
    public void Packed_histograms_store_their_key_range_kind_and_count()
    {
        using var db = new Imported("corpus/constructed-aggpack.txt");
        var tables = db.Tables();
        Assert.Equal("5:sshd:quantize:312 6:bash:quantize:87 9:sshd:quantize:312 12:sshd:lquantize:45",
            string.Join(" ", tables.Select(t => $"{t.Line}:{Key(t).Single()}:{t.Kind}:{t.Total}")));
        Assert.All(tables, t => Assert.Equal(("packed", ""), (t.Form, db.Rows(t))));
    }

    [Fact]
    public void Printa_rows_with_the_value_before_the_key_text()
    {
        using var jobj = new Imported("corpus/toolkit-j_objnew.txt");
        var rows = jobj.Tables();
        Assert.Equal(194, rows.Count);
        Assert.Equal(5389, rows.Sum(t => t.Total!.Value));
        Assert.Equal(["311496", "[J"], Key(rows[0]));
        Assert.Equal((197L, 1076L), (rows[^1].Line, rows[^1].Total!.Value)); // line 1430 of the source
        Assert.All(rows, t => Assert.Equal("Java object allocation count by pid and class", t.Section));

        using var pg = new Imported("corpus/constructed-printa-value-first.txt");
        var tables = pg.Tables();
        Assert.Equal("7:queries failed:0 8:queries ok:4210 9:queries started:4213 10:elapsed time (us):3002514 "
                     + "14:UPDATE accounts SET balance = balance + 17 WHERE id = 3;:21377 15:SELECT balance FROM accounts WHERE id = 12;:40510 "
                     + "16:BEGIN;:104202 17:END;:1730433",
            string.Join(" ", tables.Select(t => $"{t.Line}:{Key(t).Single()}:{t.Total}")));
        Assert.Equal("Slowest queries: latency (us)", tables[^1].Section);
        Assert.Equal("text", pg.NoteKind(3)); // " 1897  1888   293   283 ": numbers side by side name no key
    }

    [Fact]
    public void Prose_ending_in_a_colon_or_comma_and_ctrl_c_are_no_section_titles()
    {
        using var calltime = new Imported("corpus/toolkit-py_calltime.txt");
        Assert.Equal("text", calltime.NoteKind(2)); // ^C
        Assert.Equal(["Count", "Exclusive function elapsed times (us)", "Inclusive function elapsed times (us)"],
            calltime.Tables().Select(t => t.Section).Distinct());
        using var memleak = new Imported("corpus-bpftrace/bcc-memleak.txt");
        Assert.Equal("text", memleak.NoteKind(7)); // "For example:"
        Assert.Equal("text", memleak.NoteKind(11)); // "[11:16:33] Top 2 stacks with outstanding allocations:"
    }

    [Fact]
    public void Bpftrace_hist_tables_power_of_two_buckets()
    {
        using var db = new Imported("corpus-bpftrace/bpftrace-runqlat.txt");
        var tables = db.Tables();
        Assert.Equal([15L, 60, 96, 131], tables.Select(t => t.Line));
        Assert.All(tables, t => Assert.Equal(("@usecs", "[]", "quantize", "bpftrace"), (t.Section, t.Key, t.Kind, t.Form)));
        Assert.Equal([21, 21, 20, 22], tables.Select(t => db.Conn.ExecuteScalar<int>("SELECT count(*) FROM agg_buckets WHERE table_id = @Id", t)));
        Assert.Equal("0:1 1:11 2:16 4:43 8:134 16:220 32:117 64:84 128:10 256:2 512:5 1024:5 2048:5 4096:4 8192:1 16384:2 32768:0 65536:1 131072:0 262144:0 524288:1",
            db.Rows(tables[0]));
    }

    [Fact]
    public void Bpftrace_tables_keyed_by_a_name_or_a_stack()
    {
        using var bitesize = new Imported("corpus-bpftrace/bpftrace-bitesize.txt");
        var tables = bitesize.Tables();
        Assert.Equal("cleanup postdrop jps kworker/2:1H jbd2/nvme0n1-8 dd", string.Join(" ", tables.Select(t => Key(t).Single())));
        Assert.All(tables, t => Assert.Equal("@", t.Section));
        Assert.Equal("4096:1 8192:0 16384:0 32768:2", bitesize.Rows(tables[2]));
        Assert.Equal(2 + 2 + 3 + 4 + 6 + 921, tables.Sum(t => bitesize.Conn.ExecuteScalar<long>("SELECT sum(count) FROM agg_buckets WHERE table_id = @Id", t)));

        using var biostacks = new Imported("corpus-bpftrace/bpftrace-biostacks.txt");
        var stacks = biostacks.Tables();
        Assert.Equal(2, stacks.Count);
        var frames = Key(stacks[1]).Single().Split('\n');
        Assert.Equal((18, "blk_account_io_start+1", "ret_from_fork+53"), (frames.Length, frames[0], frames[^1]));
        Assert.Equal("8192:560 16384:218 32768:26 65536:2 131072:53 262144:60", biostacks.Rows(stacks[1]));
        Assert.Equal((53L, "quantize"), (stacks[1].Line, stacks[1].Kind));
    }

    [Fact]
    public void Bpftrace_lhist_open_rows_maps_and_stats()
    {
        using var ssl = new Imported("corpus-bpftrace/bpftrace-ssllatency.txt");
        var tables = ssl.Tables();
        var hist = tables.Where(t => t.Kind != "scalar").ToList();
        Assert.Equal(11, hist.Count);
        Assert.All(hist, t => Assert.Equal("lquantize", t.Kind));
        Assert.Equal(("@hist", "SSL_do_handshake", "600:1359 800:12 >= 1000:32"), (hist[2].Section, Key(hist[2]).Single(), ssl.Rows(hist[2])));
        var stats = tables.Where(t => t.Kind == "scalar").ToList();
        Assert.Equal(33, stats.Count);
        Assert.Equal([("[\"SSL_read\",\"count\"]", 1401L), ("[\"SSL_read\",\"average\"]", 2), ("[\"SSL_read\",\"total\"]", 2834)],
            stats.Take(3).Select(t => (t.Key, t.Total!.Value)));
        Assert.All(stats.Take(3), t => Assert.Equal(("@stat", 41L), (t.Section, t.Line)));

        using var syscount = new Imported("corpus-bpftrace/bpftrace-syscount.txt");
        var maps = syscount.Tables();
        Assert.Equal(20, maps.Count);
        Assert.Equal(("@syscall", "[\"6\"]", 36862L), (maps[0].Section, maps[0].Key, maps[0].Total!.Value));
        Assert.Equal(("@process", "[\"make\"]", 1404065L), (maps[^1].Section, maps[^1].Key, maps[^1].Total!.Value));
        Assert.Equal(1267788L, maps.Where(t => t.Section == "@syscall").Sum(t => t.Total!.Value));
    }

    [Fact]
    public void Bcc_stack_then_count_entries_are_keyed_by_their_frames()
    {
        using var db = new Imported("corpus-bpftrace/bcc-stackcount.txt");
        var entries = db.Tables();
        Assert.Equal(13, entries.Count);
        Assert.Equal(483, entries.Sum(t => t.Total!.Value));
        Assert.All(entries, t => Assert.Equal(("bcc", "scalar"), (t.Form, t.Kind)));
        var first = Key(entries[0]);
        Assert.Equal((12L, 1L, 8), (entries[0].Line, entries[0].Total!.Value, first.Single().Split('\n').Length));
        var withProcess = Key(entries[5]); // -P: the stack, then "tar [15069]"
        Assert.Equal(("tar [15069]", 15), (withProcess[1], withProcess[0].Split('\n').Length));
        var delimited = Key(entries[^1]); // -P -d: kernel stack, "--", user stack, process
        Assert.Equal(3, delimited.Length);
        Assert.Equal(("entry_SYSCALL_64_fastpath", "[unknown]\n[unknown]\n[unknown]", "tar [15187]"),
            (delimited[0].Split('\n')[^1], delimited[1], delimited[2]));
        Assert.Equal(171, entries[^1].Total!.Value);
    }
}
