using System.IO.Compression;
using System.Text;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>import as a user runs it: re-import, several traces, --trace, gzip, stdin, and logs that hold little.</summary>
public class ImportCommandTests
{
    static readonly string Libc = Fixtures.Seed("01-11672-cmalloc.log");
    static readonly string PyObject = Fixtures.Seed("07-30620-pyobject-release.log");

    static long Json(string db, string report, string field, params string[] more) =>
        Pmanalyze.Ok([report, "--db", db, "--format", "json", .. more]).Json[field]!.GetValue<long>();

    [Fact]
    public void Import_prints_the_summary_and_the_top_leak_site()
    {
        using var dir = new TempDir();
        var run = Pmanalyze.Ok("import", Libc, "--db", dir.Db);
        Assert.Contains("as trace 1", run.Stdout);
        Assert.Contains("47 lines, 9 events", run.Stdout);
        Assert.Matches(@"ex_dtrace\.py\s+48\s+create_cmalloc_list\s+1\s+1\.44 KiB", run.Stdout);
        Assert.Matches(@"ex_dtrace\.py\s+48\s+create_cmalloc_list\s+1\s+1477", Pmanalyze.Ok("import", Libc, "--db", dir.Db, "--force", "--bytes").Stdout);
    }

    [Fact]
    public void The_same_content_is_imported_once_unless_forced()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Libc, "--db", dir.Db, "-q");
        var again = Pmanalyze.Ok("import", Libc, "--db", dir.Db);
        Assert.Contains("already imported as trace 1", again.Stdout);
        var copy = dir.File("renamed.log");
        File.Copy(Libc, copy);
        Assert.Contains("already imported as trace 1", Pmanalyze.Ok("import", copy, "--db", dir.Db).Stdout);
        Assert.Equal(1, Pmanalyze.Ok("query", "SELECT count(*) AS n FROM traces", "--db", dir.Db, "--format", "json").Json[0]!["n"]!.GetValue<long>());
        Assert.Contains("as trace 2", Pmanalyze.Ok("import", Libc, "--db", dir.Db, "--force", "-q").Stdout);
        Assert.Equal(18, Pmanalyze.Ok("query", "SELECT count(*) AS n FROM events", "--db", dir.Db, "--format", "json").Json[0]!["n"]!.GetValue<long>());
    }

    [Fact]
    public void Two_traces_in_one_database_and_trace_selection()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Libc, "--db", dir.Db, "-q");
        Pmanalyze.Ok("import", PyObject, "--db", dir.Db, "-q");
        Assert.Equal(68, Json(dir.Db, "summary", "events"));                 // the latest by default
        Assert.Equal(9, Json(dir.Db, "summary", "events", "--trace", "1"));
        Assert.Equal(2048, Json(dir.Db, "summary", "bytes_outstanding", "--trace", "2"));
        var leaks = Pmanalyze.Ok("leaks", "--db", dir.Db, "--trace", "1", "--format", "json").Json.AsArray();
        Assert.Equal(1477, Assert.Single(leaks)!["bytes"]!.GetValue<long>());
        var traces = Pmanalyze.Ok("traces", "--db", dir.Db, "--format", "json").Json.AsArray();
        Assert.Equal(["01-11672-cmalloc.log", "07-30620-pyobject-release.log"], traces.Select(t => t!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void A_gzip_log_and_standard_input_give_the_same_trace()
    {
        using var dir = new TempDir();
        var gz = dir.File("trace.log.gz");
        using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest)) output.Write(File.ReadAllBytes(PyObject));
        Pmanalyze.Ok("import", gz, "--db", dir.Db, "-q");
        Assert.Equal(2048, Json(dir.Db, "summary", "bytes_outstanding"));
        var stdin = Pmanalyze.ExecWithInput(File.ReadAllBytes(PyObject), "import", "-", "--db", dir.Db);
        Assert.Contains("already imported as trace 1", stdin.Stdout);   // the same content, decompressed
        var other = dir.File("other.db");
        Pmanalyze.ExecWithInput(File.ReadAllBytes(PyObject), "import", "-", "--db", other, "-q");
        Assert.Equal(2048, Json(other, "summary", "bytes_outstanding"));
        Assert.Equal("stdin", Pmanalyze.Ok("traces", "--db", other, "--format", "json").Json[0]!["name"]!.GetValue<string>());
        var gzipOnStdin = Pmanalyze.ExecWithInput(File.ReadAllBytes(gz), "import", "-", "--db", other);
        Assert.Contains("already imported as trace 1", gzipOnStdin.Stdout);   // gzip is recognised on stdin too
    }

    [Fact]
    public void An_empty_log_imports_and_says_so()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty.log");
        File.WriteAllBytes(empty, []);
        var run = Pmanalyze.Ok("import", empty, "--db", dir.Db);
        Assert.Contains("0 lines, 0 events", run.Stdout);
        Assert.Contains("no memory events found", run.Stdout);
        Assert.Equal(0, Json(dir.Db, "summary", "lines"));
    }

    [Fact]
    public void A_binary_log_keeps_every_line()
    {
        using var dir = new TempDir();
        var binary = dir.File("core.bin");
        var bytes = new byte[20_000];
        new Random(7).NextBytes(bytes);
        var text = Encoding.ASCII.GetBytes("dtrace:::BEGIN\n");
        File.WriteAllBytes(binary, [.. text, .. bytes]);
        var lines = 1 + bytes.Count(b => b == (byte)'\n') + (bytes[^1] == (byte)'\n' ? 0 : 1);
        var run = Pmanalyze.Ok("import", binary, "--db", dir.Db);
        Assert.Contains($"{lines} lines, 0 events", run.Stdout);
        var stored = Pmanalyze.Ok("query", "SELECT (SELECT count(*) FROM unparsed) + (SELECT count(*) FROM notes) AS n", "--db", dir.Db, "--format", "json");
        Assert.Equal(lines, stored.Json[0]!["n"]!.GetValue<long>());
    }

    [Fact]
    public void A_log_cut_mid_line_keeps_the_cut_line_as_unparsed()
    {
        using var dir = new TempDir();
        var whole = File.ReadAllText(Libc);
        var cut = whole[..whole.IndexOf("free(0x7fa8e6071a00)", StringComparison.Ordinal)] + "free(0x7fa8";
        var path = dir.File("cut.log");
        File.WriteAllText(path, cut);
        Pmanalyze.Ok("import", path, "--db", dir.Db, "-q");
        Assert.Equal(5, Json(dir.Db, "summary", "events"));
        Assert.Equal(1, Json(dir.Db, "summary", "unparsed_lines"));
        var unparsed = Pmanalyze.Ok("query", "SELECT line, text FROM unparsed", "--db", dir.Db, "--format", "json").Json[0]!;
        Assert.Equal(11, unparsed["line"]!.GetValue<long>());
        Assert.EndsWith("free(0x7fa8", unparsed["text"]!.GetValue<string>());
    }

    [Fact]
    public void Reports_render_as_csv_and_json_with_the_fixed_names()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", PyObject, "--db", dir.Db, "-q");
        var csv = Pmanalyze.Ok("functions", "--db", dir.Db, "--format", "csv").Stdout.Split('\n');
        Assert.Equal("file,function,allocs,reallocs,bytes_allocated,frees,bytes_freed,bytes_outstanding", csv[0].TrimEnd('\r'));
        var chain = Assert.Single(Pmanalyze.Ok("reallocs", "--db", dir.Db, "--format", "json").Json.AsArray())!;
        Assert.Equal("0x1034583a0", chain["start_pointer"]!.GetValue<string>());
        Assert.True(chain["freed"]!.GetValue<bool>());
        Assert.Equal(89, chain["line"]!.GetValue<long>());
        var top = Pmanalyze.Ok("leaks", "--db", dir.Db, "--format", "json", "--top", "3", "--by", "pointer").Json.AsArray();
        Assert.Equal(3, top.Count);
        Assert.Equal(488, top[0]!["size"]!.GetValue<long>());
    }
}
