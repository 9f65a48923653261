using System.Text.Json;
using System.Text.Json.Nodes;

namespace PyMemTrace.Tests.Support;

/// <summary>Paths of the fixture files copied next to the test assembly.</summary>
public static class Fixtures
{
    /// <summary>The summary's JSON fields of issue 2, in order.</summary>
    public static readonly string[] SummaryFields =
    [
        "lines", "events", "allocs", "reallocs", "frees", "null_frees", "unknown_frees", "missed_frees", "bytes_allocated",
        "bytes_freed", "bytes_outstanding", "leaked_blocks", "peak_bytes", "peak_blocks", "max_alloc", "unparsed_lines",
    ];

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string Path_(string relative) => Path.Combine(Dir, relative);
    public static string Seed(string name) => Path.Combine(Dir, "seed", name);
    public static string Generated(string name) => Path.Combine(Dir, "generated", name);

    public static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    public static IEnumerable<string> SeedLogs() =>
        Directory.GetFiles(Path.Combine(Dir, "seed"), "0*.log").Select(Path.GetFileName).Order()!;

    /// <summary>
    /// The generator and the seed checks decode every line as Latin-1; pmanalyze decodes a line as UTF-8 where valid
    /// (as issue 2 asks). Re-read a Latin-1 decoded string the way pmanalyze does.
    /// </summary>
    public static string AsUtf8WhereValid(string latin1)
    {
        if (latin1.Any(c => c > 0xff)) return latin1;
        var bytes = System.Text.Encoding.Latin1.GetBytes(latin1);
        return System.Text.Unicode.Utf8.IsValid(bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : latin1;
    }

    public static JsonNode? NormalizeStrings(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, NormalizeStrings(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(NormalizeStrings).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(AsUtf8WhereValid(s)),
        JsonValue v => JsonNode.Parse(v.ToJsonString()),
        _ => null,
    };

    public static string Canonical(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
}
