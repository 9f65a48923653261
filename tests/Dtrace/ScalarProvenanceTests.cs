using System.Text.Json;
using Dapper;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>
/// Nothing from prose or event output becomes an aggregation: over every real file of the fixture corpus, each stored
/// scalar comes from a line inside the file's aggregation output, whose line ranges were marked by hand in
/// tests/fixtures/aggregation_output.json (with the number of scalars each file holds). A new corpus file must be
/// marked there too.
/// </summary>
public sealed class ScalarProvenanceTests
{
    static readonly JsonElement Marked =
        JsonDocument.Parse(File.ReadAllText(Fixture.PathOf("aggregation_output.json"))).RootElement;

    static readonly string[] Folders = ["corpus", "corpus-bpftrace"];

    static List<string> CorpusFiles() => Folders.SelectMany(folder =>
        Directory.GetFiles(Fixture.PathOf(folder), "*.txt").Select(path => folder + "/" + Path.GetFileName(path))).Order().ToList();

    public static TheoryData<string> Files() => new(CorpusFiles());

    [Fact]
    public void Every_corpus_file_is_marked()
    {
        var files = CorpusFiles();
        Assert.True(files.Count >= 30, $"only {files.Count} corpus files found");
        Assert.All(files, f => Assert.True(Marked.TryGetProperty(f, out _), $"{f} has no entry in aggregation_output.json"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_scalar_comes_from_a_line_of_aggregation_output(string file)
    {
        var marked = Marked.GetProperty(file);
        var ranges = marked.GetProperty("aggregation_output").EnumerateArray()
            .Select(r => (From: r[0].GetInt64(), To: r[1].GetInt64())).ToList();
        using var fx = new Fixture();
        long trace = fx.Import(file);
        using var conn = fx.Open();
        var scalars = conn.Query<(long Line, string NoteKind)>(
            """
            SELECT a.line, coalesce(n.kind, '') FROM agg_tables a LEFT JOIN notes n ON n.trace_id = a.trace_id AND n.line = a.line
            WHERE a.trace_id = @trace AND a.kind = 'scalar' ORDER BY a.id
            """, new { trace }).ToList();
        Assert.Equal(marked.GetProperty("scalars").GetInt32(), scalars.Count);
        foreach (var (line, noteKind) in scalars)
        {
            Assert.True(ranges.Any(r => line >= r.From && line <= r.To), $"{file}: a scalar from line {line}, outside the aggregation output");
            Assert.Equal("aggregation", noteKind);
        }
    }
}
