using System.Text.Json.Nodes;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Store;

/// <summary>
/// Logs made by an independent generator (tests/fixtures/generated, from ../shared/tools/gentrace.py) with the exact
/// figures it knows to be true: three styles, two pids, notices, odd names, garbage lines, call stacks.
/// </summary>
public class GeneratedLogTests
{
    /// <summary>Every generated log that comes with the generator's truth.</summary>
    public static TheoryData<string> Logs() => new(Directory.GetFiles(Path.Combine(Fixtures.Dir, "generated"), "*.log")
        .Where(log => File.Exists(log.Replace(".log", ".truth.json"))).Select(Path.GetFileName).Order()!);

    [Theory, MemberData(nameof(Logs))]
    public void Reports_equal_the_generators_truth(string log)
    {
        var truth = Fixtures.NormalizeStrings(Fixtures.Json(Fixtures.Generated(log.Replace(".log", ".truth.json"))))!;
        using var dir = new TempDir();
        var result = InProcess.Import(dir.Db, Fixtures.Generated(log));
        using var conn = InProcess.Read(dir.Db);
        var summary = InProcess.Json(MemoryReports.Summary(conn, result.TraceId));
        foreach (var field in Fixtures.SummaryFields.Where(f => f != "missed_frees"))  // the generator makes no missed frees
            Assert.True(truth[field]!.GetValue<long>() == summary[field]!.GetValue<long>(), $"{log}: {field} truth {truth[field]} got {summary[field]}");
        Assert.Equal(0, summary["missed_frees"]!.GetValue<long>());
        Assert.Equal(truth["flow_lines"]!.GetValue<long>(), result.FlowLines);
        Assert.Equal(result.Lines, result.Events + result.FlowLines + result.Notes + result.Unparsed);
        Assert.Equal(Sorted(truth["leaks"]!), Sorted(InProcess.Json(MemoryReports.LeakSites(conn, result.TraceId, null))));
        Assert.Equal(Sorted(truth["functions"]!), Sorted(InProcess.Json(MemoryReports.Functions(conn, result.TraceId, null))));
        var chains = InProcess.Json(MemoryReports.Reallocs(conn, result.TraceId, null)).AsArray().Select(c =>
            (JsonNode)new JsonObject { ["end_pointer"] = c!["end_pointer"]!.GetValue<string>(), ["first_size"] = c["first_size"]!.GetValue<long>(), ["freed"] = c["freed"]!.GetValue<bool>(), ["last_size"] = c["last_size"]!.GetValue<long>(), ["length"] = c["length"]!.GetValue<long>(), ["start_pointer"] = c["start_pointer"]!.GetValue<string>() });
        Assert.Equal(Sorted(truth["realloc_chains"]!, sortKeys: true), Sorted(new JsonArray(chains.ToArray()), sortKeys: true));
    }

    [Fact]
    public void The_leak_report_is_ordered_by_bytes_descending()
    {
        using var dir = new TempDir();
        var result = InProcess.Import(dir.Db, Fixtures.Generated("libc-2pids-quirks.log"));
        using var conn = InProcess.Read(dir.Db);
        var bytes = InProcess.Json(MemoryReports.LeakSites(conn, result.TraceId, 20)).AsArray().Select(r => r!["bytes"]!.GetValue<long>()).ToList();
        Assert.Equal(20, bytes.Count);
        Assert.Equal(bytes.OrderDescending(), bytes);
    }

    static string Sorted(JsonNode array, bool sortKeys = false) => string.Join("\n",
        array.AsArray().Select(n => sortKeys ? Fixtures.Canonical(SortKeys(n!)) : Fixtures.Canonical(n)).Order(StringComparer.Ordinal));

    static JsonNode SortKeys(JsonNode n) => n is JsonObject o
        ? new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())))
        : n.DeepClone();
}
