using Dapper;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>One fixture per construct of tests/fixtures/dtrace, written for this project.</summary>
public sealed class ConstructTests
{
    [Fact]
    public void Notices_are_counted_per_kind_and_mean_drops()
    {
        using var fx = new Fixture();
        long trace = fx.Import("dtrace/notices.log");
        using var conn = fx.Open();
        var kinds = conn.Query<(string Kind, long? Number)>("SELECT kind, number FROM notices WHERE trace_id = @trace ORDER BY line", new { trace }).ToList();
        Assert.Equal(
            [("probes_matched", 14L), ("sip", null), ("buffer_drops", 120L), ("aggregation_drops", 3L), ("dynamic_variable_drops", 99L),
             ("dynamic_variable_drops", 2L), ("speculative_drops", 1L), ("error", null), ("pid_exited", 11672L), ("aborted", null), ("other", null)],
            kinds.Select(k => (k.Kind, k.Number)).ToList());
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM unparsed WHERE trace_id = @trace", new { trace }));
        Assert.Equal(3, conn.ExecuteScalar<long>("SELECT count(*) FROM events WHERE trace_id = @trace", new { trace }));

        var summary = MemoryReports.Summary(conn, trace);
        var notices = (IDictionary<string, object?>)summary.Rows[0][summary.IndexOf("notices")]!;
        Assert.Equal(2L, notices["dynamic_variable_drops"]);
        Assert.Equal(1L, notices["buffer_drops"]);
        Assert.Equal(true, summary.Rows[0][summary.IndexOf("dropped_records_suspected")]);
        Assert.Equal(150L, summary.Rows[0][summary.IndexOf("bytes_allocated")]);
    }

    [Fact]
    public void A_clean_trace_suspects_no_drops()
    {
        using var fx = new Fixture();
        long trace = fx.Import("seed/01-11672-cmalloc.log");
        using var conn = fx.Open();
        var summary = MemoryReports.Summary(conn, trace);
        Assert.Equal(false, summary.Rows[0][summary.IndexOf("dropped_records_suspected")]);
        Assert.Equal(new Dictionary<string, object?> { ["sip"] = 1L }, (IDictionary<string, object?>)summary.Rows[0][summary.IndexOf("notices")]!);
        Assert.Equal([("ex_dtrace.py", "create_cmalloc_list", 5909L, 5909L, 0L)],
            DropReports.Reconcile(conn, trace).Rows.Select(r => ((string)r[0]!, (string)r[1]!, (long)r[2]!, (long)r[3]!, (long)r[4]!)));
    }

    [Fact]
    public void Toolkit_flow_lines_with_colours_and_rss_samples()
    {
        using var fx = new Fixture();
        long trace = fx.Import("dtrace/toolkit-flow-ansi-rss.log");
        using var conn = fx.Open();
        var flow = conn.Query<(long Line, string Type, string File, long File_Line, string Function)>(
            "SELECT line, type, file, file_line, function FROM flow WHERE trace_id = @trace ORDER BY line", new { trace }).ToList();
        Assert.Equal(7, flow.Count);
        Assert.Equal((5L, "CALL", "\"", 0L, "mmap"), flow[1]);
        Assert.Equal((7L, "CALL", "os.py", 22L, "_exists"), flow[3]);
        Assert.Equal(["func", "syscall", "syscall", "func", "func", "func", "func"],
            conn.Query<string>("SELECT probe FROM flow_info WHERE trace_id = @trace ORDER BY line", new { trace }));
        Assert.Equal(7, conn.ExecuteScalar<long>("SELECT count(*) FROM raw_lines WHERE trace_id = @trace AND text LIKE char(27) || '%'", new { trace }));
        Assert.Equal([(4242L, 1L, 10240L), (4242L, 2L, 10496L)],
            conn.Query<(long, long, long)>("SELECT pid, sample, kilobytes FROM rss_series WHERE trace_id = @trace ORDER BY sample", new { trace }));
        Assert.Equal(-1, conn.ExecuteScalar<long>("SELECT kilobytes FROM rss_samples WHERE trace_id = @trace AND line = 14", new { trace }));
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM unparsed WHERE trace_id = @trace", new { trace }));
    }

    [Fact]
    public void Split_calls_are_joined_orphan_returns_and_cut_lines_kept()
    {
        using var fx = new Fixture();
        long trace = fx.Import("dtrace/split-orphan-cut.log");
        using var conn = fx.Open();
        var events = conn.Query<(long Line, string Kind, long? Size, long Ptr)>(
            "SELECT line, kind, size, ptr FROM events WHERE trace_id = @trace ORDER BY seq", new { trace }).ToList();
        Assert.Equal([(2L, "malloc", 72L, 0x7f859ee676e0L), (3L, "malloc", 84L, 0x7f859ee67ce0L), (7L, "free", null, 0x7f859ee676e0L), (9L, "malloc", 32L, 0x7f859ee67d00L)], events);
        Assert.Equal([(5L, "split_return"), (6L, "orphan_return")],
            conn.Query<(long, string)>("SELECT line, kind FROM notes WHERE trace_id = @trace AND kind LIKE '%return' ORDER BY line", new { trace }));
        Assert.Equal([4L, 8L, 10L], conn.Query<long>("SELECT line FROM unparsed WHERE trace_id = @trace ORDER BY line", new { trace }));
    }

    [Fact]
    public void A_log_cut_mid_table_keeps_its_rows_and_reports_the_cut_row()
    {
        using var fx = new Fixture();
        long trace = fx.Import("dtrace/cut-mid-table.log");
        using var conn = fx.Open();
        Assert.Equal([(7L, 3L), (16L, 1L)],
            conn.Query<(long, long)>("SELECT t.line, count(b.ord) FROM agg_tables t LEFT JOIN agg_buckets b ON b.table_id = t.id WHERE t.trace_id = @trace GROUP BY t.id ORDER BY t.line", new { trace }));
        Assert.Equal(["            1024 |@@@@@@@@@@@@@@@@@@@@"], conn.Query<string>("SELECT text FROM unparsed WHERE trace_id = @trace", new { trace }));
        Assert.Equal(1, conn.ExecuteScalar<long>("SELECT count(*) FROM events WHERE trace_id = @trace", new { trace }));
    }

    [Fact]
    public void Stack_keys_multi_column_scalars_and_sections()
    {
        using var fx = new Fixture();
        long trace = fx.Import("dtrace/stacks-and-scalars.log");
        using var conn = fx.Open();
        var tables = conn.Query<(long Line, string Section, string Key, string Kind, long? Total)>(
            "SELECT line, section, key, kind, total FROM agg_tables WHERE trace_id = @trace ORDER BY line", new { trace }).ToList();
        Assert.Equal(
        [
            (12L, "Bytes by user stack", """["libc.so.1`malloc\nlibpython3.9.so`_PyMem_RawMalloc+0x1c\n[ /usr/lib/python3.9/json/decoder.py:353 (raw_decode) ]\npython`main+0x11\n0x7fff5fc01000"]""", "scalar", 4096L),
            (17L, "Bytes by user stack", """["libc.so.1`malloc\npython`main+0x11"]""", "quantize", null),
            (23L, "Calls by process and function", """["python","PyList_Append"]""", "scalar", 1234L),
            (24L, "Calls by process and function", """["python","PyDict_New"]""", "scalar", 56L),
            (25L, "Calls by process and function", """["node","malloc"]""", "scalar", 7L),
            (30L, "Calls by process and function", """["python","12345","libc.so.1`free\npython`main+0x11"]""", "scalar", 3L),
        ], tables);
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM notes WHERE trace_id = @trace AND kind = 'text' AND line > 2", new { trace }));

        // Without flow lines, stacks come from the stack keys, root frame first; a table without a total weighs Σ value × count.
        var stacks = StackReports.Stacks(conn, trace, null, keepOffsets: true).Rows.Select(r => ((string)r[0]!, (long)r[3]!)).ToList();
        Assert.Contains(("0x7fff5fc01000;python`main+0x11;[ /usr/lib/python3.9/json/decoder.py:353 (raw_decode) ];libpython3.9.so`_PyMem_RawMalloc+0x1c;libc.so.1`malloc", 4096L), stacks);
        Assert.Contains(("python`main+0x11;libc.so.1`malloc", 96L), stacks);
        // by default a native frame's +0x offset is dropped: the frames of one function merge (a bare address stays)
        var merged = StackReports.Stacks(conn, trace, null).Rows.Select(r => ((string)r[0]!, (long)r[3]!)).ToList();
        Assert.Contains(("0x7fff5fc01000;python`main;[ /usr/lib/python3.9/json/decoder.py:353 (raw_decode) ];libpython3.9.so`_PyMem_RawMalloc;libc.so.1`malloc", 4096L), merged);
        Assert.Contains(("python`main;libc.so.1`malloc", 96L), merged);
        Assert.Equal(stacks.Sum(s => s.Item2), merged.Sum(s => s.Item2));
    }
}
