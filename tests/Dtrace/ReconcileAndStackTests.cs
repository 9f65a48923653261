using System.Text.Json;
using Dapper;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>
/// Logs made by gentrace.py (tests/fixtures/generated, with the truth it wrote): one with 25 malloc lines deleted
/// as DTrace drops would, one in call-stack mode with two pids.
/// </summary>
public sealed class ReconcileAndStackTests
{
    const string DropLog = "generated/gentrace-libc-aggregations-drop25-seed7";
    const string StackLog = "generated/gentrace-pyraw-callstack-2pids-seed8";

    static JsonElement Truth(string log) => JsonDocument.Parse(File.ReadAllText(Fixture.PathOf(log + ".truth.json"))).RootElement;

    [Fact]
    public void Reconcile_finds_the_exact_bytes_missing_per_function()
    {
        using var fx = new Fixture();
        long trace = fx.Import(DropLog + ".log");
        using var conn = fx.Open();
        var rows = DropReports.Reconcile(conn, trace).Rows;
        var missing = rows.Where(r => (long)r[4]! != 0).Select(r => ((string)r[0]!, (string)r[1]!, (long)r[4]!)).OrderBy(r => r).ToList();
        var truth = Truth(DropLog).GetProperty("dropped_bytes_by_function").EnumerateArray()
            .Select(d => (d.GetProperty("file").GetString()!, d.GetProperty("function").GetString()!, d.GetProperty("bytes").GetInt64()))
            .OrderBy(r => r).ToList();
        Assert.Equal(11, truth.Count);
        Assert.Equal(truth, missing);
        Assert.All(rows, r => Assert.Equal((long)r[3]! - (long)r[2]!, (long)r[4]!));
        var loss = DropReports.Assess(conn, trace);
        Assert.StartsWith("DTRACE DROPPED RECORDS: 11 of 170", DropReports.Verdict(loss));
        Assert.True(loss.DroppedRecordsSuspected);
        Assert.Equal((11, 106566L), (loss.DisagreeingTotals, loss.MissingBytes));
    }

    [Fact]
    public void Every_memory_event_gets_its_call_stack_and_folded_stacks_sum_to_the_allocated_bytes()
    {
        using var fx = new Fixture();
        long trace = fx.Import(StackLog + ".log");
        using var conn = fx.Open();
        var truth = Truth(StackLog);
        // gentrace counts the header line among its flow lines; the store keeps the header as a note of kind flow.
        Assert.Equal(truth.GetProperty("flow_lines").GetInt64() - 1, conn.ExecuteScalar<long>("SELECT count(*) FROM flow WHERE trace_id = @trace", new { trace }));
        Assert.Equal(1, conn.ExecuteScalar<long>("SELECT count(*) FROM notes WHERE trace_id = @trace AND kind = 'flow'", new { trace }));
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM events WHERE trace_id = @trace AND stack_id IS NULL", new { trace }));

        var expected = truth.GetProperty("stacks").EnumerateArray()
            .ToDictionary(s => string.Join(";", s.GetProperty("frames").EnumerateArray().Select(f => f[0].GetString() + ":" + f[1].GetString())),
                s => s.GetProperty("bytes").GetInt64());
        var output = new StringWriter();
        new FoldedStackRenderer().Render(StackReports.Stacks(conn, trace, null), output);
        var folded = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => long.Parse(l[(l.LastIndexOf(' ') + 1)..]));
        Assert.Equal(expected.Count, folded.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), folded.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(truth.GetProperty("bytes_allocated").GetInt64(), folded.Values.Sum());
    }

    /// <summary>The stored key (JSON) writes a newline (a stack's) as \n, and a backslash and an n of its own as \\n: only the first is a stack.</summary>
    [Fact]
    public void An_aggregation_key_with_a_backslash_n_of_its_own_is_no_stack()
    {
        using var fx = new Fixture();
        string log = Path.Combine(Path.GetDirectoryName(fx.DbPath)!, "key.log");
        File.WriteAllText(log, """
            dtrace:::BEGIN
            7 a.py:1 -> f malloc(32) pntr 0x1000
            dtrace:::END
            Python malloc byte distributions by engine caller:
               C:\new`_PyObject_Malloc, total bytes = 95450
                       value  ------------- Distribution ------------- count
                          16 |                                         0
                          32 |@@@                                      3
                          64 |                                         0

            """);
        long trace = TraceImporter.Import(fx.DbPath, log, force: true).TraceId;
        using var conn = fx.Open();
        Assert.Equal("[\"C:\\\\new`_PyObject_Malloc\"]", conn.ExecuteScalar<string>("SELECT key FROM agg_tables WHERE trace_id = @trace", new { trace }));
        Assert.Empty(StackReports.Stacks(conn, trace, null).Rows);
    }
}
