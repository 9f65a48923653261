using System.Text.Json.Nodes;
using Dapper;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Store;

/// <summary>The seed's seven example logs against their hand-checked expectations (tests/fixtures/seed/EXPECTED.md).</summary>
public class SeedFixtureTests
{
    public static TheoryData<string> Logs() => new(Fixtures.SeedLogs());

    [Theory, MemberData(nameof(Logs))]
    public void Every_report_equals_the_expectation(string log)
    {
        var expected = Fixtures.Json(Fixtures.Seed("expected.json"))[log]!;
        using var dir = new TempDir();
        InProcess.Import(dir.Db, Fixtures.Seed(log));
        using var conn = InProcess.Read(dir.Db);
        var trace = TraceCatalog.Resolve(conn, null).Id;

        var summary = InProcess.Json(MemoryReports.Summary(conn, trace));
        foreach (var field in Fixtures.SummaryFields)
            Assert.True(expected[field]!.GetValue<long>() == summary[field]!.GetValue<long>(), $"{log}: {field} expected {expected[field]} got {summary[field]}");
        Assert.Equal(Fixtures.Canonical(expected["leaks"]), Fixtures.Canonical(InProcess.Json(MemoryReports.LeakSites(conn, trace, null))));
        Assert.Equal(Sorted(expected["functions"]!), Sorted(InProcess.Json(MemoryReports.Functions(conn, trace, null))));
        var chains = InProcess.Json(MemoryReports.Reallocs(conn, trace, null)).AsArray()
            .Select(c => new JsonObject { ["start_pointer"] = c!["start_pointer"]!.GetValue<string>(), ["first_size"] = c["first_size"]!.GetValue<long>(), ["length"] = c["length"]!.GetValue<long>(), ["last_size"] = c["last_size"]!.GetValue<long>(), ["end_pointer"] = c["end_pointer"]!.GetValue<string>(), ["freed"] = c["freed"]!.GetValue<bool>() });
        Assert.Equal(Sorted(expected["realloc_chains"]!), Sorted(new JsonArray(chains.ToArray())));
        Assert.Equal(Sorted(expected["aggregations"]!), Sorted(StoredAggregations(conn, trace)));
    }

    [Fact]
    public void The_libc_example_leaks_one_block_of_1477_bytes_at_line_48()
    {
        using var dir = new TempDir();
        var result = InProcess.Import(dir.Db, Fixtures.Seed("01-11672-cmalloc.log"));
        Assert.Equal(9, result.Events);
        using var conn = InProcess.Read(dir.Db);
        var blocks = InProcess.Json(MemoryReports.LeakedBlocks(conn, result.TraceId, null)).AsArray();
        var block = Assert.Single(blocks)!;
        Assert.Equal("0x7fa8e681ec00", block["pointer"]!.GetValue<string>());
        Assert.Equal(1477, block["size"]!.GetValue<long>());
        Assert.Equal(11672, block["pid"]!.GetValue<long>());
        Assert.Equal("ex_dtrace.py", block["file"]!.GetValue<string>());
        Assert.Equal(48, block["line"]!.GetValue<long>());
        Assert.Equal(9, block["log_line"]!.GetValue<long>()); // the fourth malloc, line 9 of the fixture
        var total = conn.ExecuteScalar<long>("SELECT total FROM agg_tables WHERE trace_id = @t AND key = '[\"ex_dtrace.py\",\"create_cmalloc_list\"]'", new { t = result.TraceId });
        Assert.Equal(5909, total);
    }

    [Fact]
    public void The_truncated_raw_example_without_END_still_imports()
    {
        using var dir = new TempDir();
        var result = InProcess.Import(dir.Db, Fixtures.Seed("02-11879-pyrawmalloc.log"));
        Assert.Equal(10, result.Lines);
        Assert.Equal(9, result.Events);
        Assert.Equal(0, result.Unparsed);
    }

    [Fact]
    public void The_pyobject_example_records_a_missed_free_and_an_in_place_realloc()
    {
        using var dir = new TempDir();
        var result = InProcess.Import(dir.Db, Fixtures.Seed("07-30620-pyobject-release.log"));
        using var conn = InProcess.Read(dir.Db);
        var missed = conn.QuerySingle<(long Line, long Ptr)>("SELECT line, ptr FROM events WHERE trace_id = @t AND replaced = 1", new { t = result.TraceId });
        Assert.Equal(0x1030be590, missed.Ptr);
        var realloc = conn.QuerySingle<(long Old, long New, long Freed)>("SELECT old_ptr, ptr, freed_bytes FROM events WHERE trace_id = @t AND kind = 'realloc'", new { t = result.TraceId });
        Assert.Equal((0x1034583a0L, 0x1034583a0L, 161L), realloc);
    }

    static string Sorted(JsonNode array) =>
        string.Join("\n", array.AsArray().Select(Fixtures.Canonical).Order(StringComparer.Ordinal));

    static JsonArray StoredAggregations(Microsoft.Data.Sqlite.SqliteConnection conn, long trace)
    {
        var tables = conn.Query<(long Id, string Section, string Key, long? Total)>(
            "SELECT id, section, key, total FROM agg_tables WHERE trace_id = @trace ORDER BY line", new { trace });
        var result = new JsonArray();
        foreach (var t in tables)
        {
            var buckets = conn.Query<(long Value, long Count)>("SELECT value, count FROM agg_buckets WHERE table_id = @id ORDER BY ord", new { id = t.Id })
                .Select(b => (JsonNode)new JsonObject { ["value"] = b.Value, ["count"] = b.Count }).ToArray();
            result.Add(new JsonObject { ["section"] = t.Section, ["key"] = JsonNode.Parse(t.Key), ["total"] = t.Total, ["buckets"] = new JsonArray(buckets) });
        }
        return result;
    }
}
