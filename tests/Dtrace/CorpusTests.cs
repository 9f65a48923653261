using System.Numerics;
using System.Text.Json;
using Dapper;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>
/// The real DTrace output of tests/fixtures/corpus (see its MANIFEST.md): every aggregation stored, with the table
/// count, keys, row counts and count sums that expected_tables.json lists.
/// </summary>
public sealed class CorpusTests
{
    static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Fixture.PathOf("corpus/expected_tables.json"))).RootElement;

    public static TheoryData<string> Files() => new(Expected.EnumerateObject().Select(p => p.Name));

    sealed record Table(long Id, long Line, string Section, string Key, string Key_Text, string Kind, long? Total);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_table_is_stored_as_the_manifest_says(string file)
    {
        using var fx = new Fixture();
        long trace = fx.Import("corpus/" + file);
        using var conn = fx.Open();
        var tables = conn.Query<Table>("SELECT id, line, section, key, key_text, kind, total FROM agg_tables WHERE trace_id = @trace ORDER BY line", new { trace }).ToList();
        var expected = Expected.GetProperty(file);

        var distributions = tables.Where(t => t.Kind != "scalar").ToList();
        var want = expected.GetProperty("quantize").EnumerateArray().ToList();
        Assert.Equal(want.Count, distributions.Count);
        foreach (var (t, w) in distributions.Zip(want))
        {
            var counts = conn.Query<long>("SELECT count FROM agg_buckets WHERE table_id = @Id ORDER BY ord", t).ToList();
            Assert.Equal(w.GetProperty("line").GetInt64(), t.Line);
            Assert.Equal(w.GetProperty("key").GetString(), t.Key_Text);
            Assert.Equal(w.GetProperty("rows").GetInt32(), counts.Count);
            Assert.Equal(BigInteger.Parse(w.GetProperty("sum").GetRawText()), counts.Aggregate(BigInteger.Zero, (s, c) => s + c));
            var bounds = conn.Query<string>("SELECT bound || ' ' || value FROM agg_buckets WHERE table_id = @Id AND bound IS NOT NULL ORDER BY ord", t);
            Assert.Equal(w.GetProperty("lt_ge_rows").EnumerateArray().Select(b => b.GetString()), bounds);
        }

        var stackCounts = tables.Where(t => t.Kind == "scalar" && t.Key_Text.Contains('\n')).ToList();
        var wantStacks = expected.GetProperty("stack_counts").EnumerateArray().ToList();
        Assert.Equal(wantStacks.Count, stackCounts.Count);
        foreach (var (t, w) in stackCounts.Zip(wantStacks))
        {
            var key = JsonSerializer.Deserialize<string[]>(t.Key)!;
            Assert.Equal(w.GetProperty("line").GetInt64(), t.Line);
            Assert.Equal(w.GetProperty("count").GetInt64(), t.Total);
            Assert.Equal(w.GetProperty("printa_key").GetString(), key[0]);
            var frames = key[1].Split('\n');
            Assert.Equal(w.GetProperty("top_frame").GetString(), frames[0]);
            Assert.Equal(w.GetProperty("frames").GetInt32(), frames.Length);
        }

        foreach (var w in expected.GetProperty("printa_sections").EnumerateArray())
        {
            string title = w.GetProperty("title").GetString()!.TrimEnd(',', ':');
            var rows = tables.Where(t => t.Kind == "scalar" && t.Section == title).ToList();
            var entries = rows.Where(t => t.Key != """["-","total","-"]""").ToList();
            Assert.Equal(w.GetProperty("rows").GetInt32(), entries.Count);
            Assert.Equal(w.GetProperty("sum").GetInt64(), entries.Sum(t => t.Total!.Value));
            var totalRow = rows.SingleOrDefault(t => t.Key == """["-","total","-"]""");
            if (w.TryGetProperty("total_row", out var total) && total.ValueKind == JsonValueKind.Number) Assert.Equal(total.GetInt64(), totalRow?.Total);
            else Assert.Null(totalRow);
        }
    }

    /// <summary>Only the elision ` ...` inside BEGIN..END of the pymemtrace log is unparsed: no aggregation line is.</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void No_aggregation_line_is_unparsed(string file)
    {
        using var fx = new Fixture();
        long trace = fx.Import("corpus/" + file);
        using var conn = fx.Open();
        var unparsed = conn.Query<string>("SELECT text FROM unparsed WHERE trace_id = @trace", new { trace }).ToList();
        Assert.Equal(file.StartsWith("pymemtrace") ? [" ..."] : Array.Empty<string>(), unparsed);
    }

    [Fact]
    public void Kinds_follow_the_bucket_shapes()
    {
        using var fx = new Fixture();
        long llq = fx.Import("corpus/dtrace-utils-tst.llquantize.txt");
        long basics = fx.Import("corpus/dtrace-utils-printa-tst.basics.txt");
        long neg = fx.Import("corpus/dtrace-utils-tst.neglquant.txt");
        using var conn = fx.Open();
        string Kinds(long trace) => string.Join(",", conn.Query<string>("SELECT kind FROM agg_tables WHERE trace_id = @trace ORDER BY line", new { trace }));
        Assert.Equal("llquantize", Kinds(llq));
        Assert.Equal("scalar,scalar,lquantize,scalar,scalar,scalar,quantize,llquantize,scalar", Kinds(basics));
        Assert.Equal("quantize,lquantize,lquantize,lquantize,lquantize,lquantize,lquantize", Kinds(neg));
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 5 }, conn.Query<long>("SELECT total FROM agg_tables WHERE trace_id = @basics AND kind = 'scalar' ORDER BY line", new { basics }));
    }

    [Fact]
    public void Toolkit_flow_traces_are_flow_lines()
    {
        using var fx = new Fixture();
        long flowinfo = fx.Import("corpus/toolkit-py_flowinfo.txt");
        long colors = fx.Import("corpus/toolkit-py_syscolors.txt");
        using var conn = fx.Open();
        long Count(string sql, long trace) => conn.ExecuteScalar<long>(sql, new { trace });
        Assert.Equal(460, Count("SELECT count(*) FROM flow WHERE trace_id = @trace", flowinfo));
        Assert.Equal(551, Count("SELECT count(*) FROM flow WHERE trace_id = @trace", colors));
        Assert.Equal(551, Count("SELECT count(*) FROM raw_lines WHERE trace_id = @trace", colors));
        Assert.Equal(522, Count("SELECT count(*) FROM flow_info WHERE trace_id = @trace AND probe = 'syscall'", colors));
        Assert.Equal(0, Count("SELECT count(*) FROM notes WHERE trace_id = @trace AND text LIKE '%' || char(27) || '%'", colors));
    }
}
