using System.IO.Compression;
using System.Text.Json.Nodes;
using PyMemTrace.Parser.Input;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>
/// A log that cannot be read whole (gzip cut short or damaged) or that stops before dtrace:::END: the import keeps
/// what it read, says why the trace is not whole, and the summary and HTML report carry it.
/// </summary>
public class IncompleteLogTests
{
    static readonly string Log = Fixtures.Generated("libc-2pids-quirks.log");

    static byte[] Gzip(byte[] data)
    {
        var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return packed.ToArray();
    }

    static JsonNode Summary(string db) => Pmanalyze.Ok("summary", "--db", db, "--format", "json").Json;

    /// <summary>The stored events as (line, kind, size, pointer), in order.</summary>
    static List<string> Events(string db) =>
        Pmanalyze.Ok("query", "SELECT line, kind, size, ptr FROM events ORDER BY id", "--db", db, "--format", "csv").Stdout
            .Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();

    [Fact]
    public void A_whole_log_is_complete()
    {
        using var dir = new TempDir();
        var gz = dir.File("whole.log.gz");
        File.WriteAllBytes(gz, Gzip(File.ReadAllBytes(Log)));
        var run = Pmanalyze.Ok("import", gz, "--db", dir.Db, "-q");
        Assert.DoesNotContain("warning", run.Stdout);
        var summary = Summary(dir.Db);
        Assert.True(summary["input_complete"]!.GetValue<bool>());
        Assert.Null(summary["input_problem"]);
    }

    [Fact]
    public void A_gzip_file_cut_short_imports_the_events_before_the_cut_and_says_so()
    {
        using var dir = new TempDir();
        var whole = Gzip(File.ReadAllBytes(Log));
        var cut = dir.File("cut.log.gz");
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]);
        Pmanalyze.Ok("import", Log, "--db", dir.File("whole.db"), "-q");
        var all = Events(dir.File("whole.db"));

        var run = Pmanalyze.Ok("import", cut, "--db", dir.Db, "-q");
        Assert.Contains("warning: the gzip data ends early", run.Stdout);
        Assert.Contains("the log stops before dtrace:::END", run.Stdout);
        var kept = Events(dir.Db);
        Assert.InRange(kept.Count, all.Count / 4, all.Count - 1);
        Assert.Equal(all.Take(kept.Count), kept); // the line the cut went through is no event: it is kept unparsed
        var lastLine = Pmanalyze.Ok("query", "SELECT max(line) FROM unparsed", "--db", dir.Db, "--format", "csv").Stdout.Split('\n')[1].Trim();
        Assert.Equal(Summary(dir.Db)["lines"]!.GetValue<long>().ToString(), lastLine);
        var summary = Summary(dir.Db);
        Assert.False(summary["input_complete"]!.GetValue<bool>());
        Assert.StartsWith("the gzip data ends early", summary["input_problem"]!.GetValue<string>());

        // the same bytes on standard input
        var stdin = Pmanalyze.ExecWithInput(File.ReadAllBytes(cut), "import", "-", "--db", dir.File("stdin.db"), "-q");
        Assert.Equal(0, stdin.ExitCode);
        Assert.Contains("warning: the gzip data ends early", stdin.Stdout);
        Assert.Equal(kept, Events(dir.File("stdin.db")));
    }

    [Fact]
    public void Several_gzip_members_and_zero_padding_are_whole()
    {
        using var dir = new TempDir();
        var text = File.ReadAllBytes(Log);
        int half = Array.IndexOf(text, (byte)'\n', text.Length / 2) + 1;
        byte[] empty = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // gzip -n < /dev/null: bgzip ends with one
        var variants = new Dictionary<string, byte[]>
        {
            ["appended"] = [.. Gzip(text[..half]), .. Gzip(text[half..])],     // gzip part1 > f.gz; gzip part2 >> f.gz
            ["bgzip-like"] = [.. Gzip(text[..half]), .. Gzip(text[half..]), .. empty],
            ["padded"] = [.. Gzip(text), .. new byte[512]],
        };
        Pmanalyze.Ok("import", Log, "--db", dir.File("plain.db"), "-q");
        var all = Events(dir.File("plain.db"));
        foreach (var (name, bytes) in variants)
        {
            var gz = dir.File(name + ".log.gz");
            File.WriteAllBytes(gz, bytes);
            var db = dir.File(name + ".db");
            var run = Pmanalyze.Ok("import", gz, "--db", db, "-q");
            Assert.DoesNotContain("warning", run.Stdout);
            Assert.True(Summary(db)["input_complete"]!.GetValue<bool>(), name);
            Assert.Equal(all, Events(db));
        }
    }

    [Fact]
    public void Damaged_gzip_data_is_no_crash_the_lines_before_it_are_kept()
    {
        using var dir = new TempDir();
        var bytes = Gzip(File.ReadAllBytes(Log));
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] = 0xff; // an invalid Huffman code
        var damaged = dir.File("damaged.log.gz");
        File.WriteAllBytes(damaged, bytes);
        var run = Pmanalyze.Exec("import", damaged, "--db", dir.Db, "-q");
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Contains("warning: the gzip data is damaged after", run.Stdout);
        Assert.False(Summary(dir.Db)["input_complete"]!.GetValue<bool>());
        Assert.True(Summary(dir.Db)["events"]!.GetValue<long>() > 1000);
    }

    [Fact]
    public void A_log_without_dtrace_END_is_cut_short_and_the_report_says_so()
    {
        using var dir = new TempDir();
        var run = Pmanalyze.Ok("import", Fixtures.Seed("02-11879-pyrawmalloc.log"), "--db", dir.Db);
        Assert.Contains("warning: the log stops before dtrace:::END: the trace was cut short", run.Stdout);
        var again = Pmanalyze.Ok("import", Fixtures.Seed("02-11879-pyrawmalloc.log"), "--db", dir.Db);
        Assert.Contains("warning: trace 1 is not whole: the log stops before dtrace:::END", again.Stdout);
        Assert.Contains("input_complete             no", run.Stdout);
        Assert.False(Summary(dir.Db)["input_complete"]!.GetValue<bool>());

        Pmanalyze.Ok("report", "--db", dir.Db, "--out", dir.File("r.html"));
        Assert.Contains("log not whole", File.ReadAllText(dir.File("r.html")));
        var check = Pmanalyze.Exec("check", "--db", dir.Db, "--fail-on-drops");
        Assert.Equal(1, check.ExitCode); // the events after the cut are lost
        Assert.Contains("log not whole: the log stops before dtrace:::END", check.Stdout);

        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        Assert.True(Summary(dir.Db)["input_complete"]!.GetValue<bool>());
        var traces = Pmanalyze.Ok("traces", "--db", dir.Db, "--format", "json").Json.AsArray();
        Assert.Equal([false, true], traces.Select(t => t!["input_complete"]!.GetValue<bool>()));
        Assert.Equal(0, Pmanalyze.Exec("check", "--db", dir.Db, "--fail-on-drops").ExitCode);
    }

    [Fact]
    public void A_block_without_END_before_the_next_BEGIN_is_a_run_cut_short()
    {
        using var dir = new TempDir();
        // the seed document: seven runs' output one after the other; the run of line 162 (example 02) has no END
        var run = Pmanalyze.Ok("import", Fixtures.Seed("dtrace-examples.txt"), "--db", dir.Db, "-q");
        Assert.Contains("warning: the dtrace:::BEGIN of line 162 has no dtrace:::END before the next dtrace:::BEGIN", run.Stdout);
        Assert.DoesNotContain("the log stops before dtrace:::END", run.Stdout); // the document itself ends its last block
        Assert.False(Summary(dir.Db)["input_complete"]!.GetValue<bool>());
    }

    /// <summary>A stream handing out its bytes a few at a time, as a pipe may.</summary>
    sealed class Trickle(byte[] data) : MemoryStream(data)
    {
        int _next;
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + _next++ % 7));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + _next++ % 7)]);
    }

    [Fact]
    public void The_trailer_is_found_however_the_compressed_bytes_arrive()
    {
        var text = File.ReadAllBytes(Log);
        byte[] empty = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // gzip -n < /dev/null
        foreach (var (packed, whole) in new[] { (Gzip(text), true), (Gzip(text)[..^3], false), (empty, true) })
        {
            var reader = new LineReader(new CheckedGzipStream(new Trickle(packed)));
            while (reader.TryReadLineBytes(out _)) { }
            Assert.True(whole == (reader.Problem is null), $"{packed.Length} bytes, whole {whole}: {reader.Problem} after {reader.ByteCount}");
            if (whole) Assert.Equal(packed.Length > 100 ? text.Length : 0, reader.ByteCount);
        }
        // gzip data that yields nothing is no empty log: it is an input error
        Assert.Throws<TraceInputException>(() => new LineReader(new CheckedGzipStream(new Trickle(empty[..^1]))).TryReadLineBytes(out _));
    }

    [Fact]
    public void Gzip_data_that_yields_nothing_is_an_input_error_not_an_empty_trace()
    {
        using var dir = new TempDir();
        var bad = dir.File("bad.log.gz");
        File.WriteAllBytes(bad, [0x1f, 0x8b, .. "garbage, not deflate data"u8.ToArray()]);
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", bad, "--db", dir.Db), "pmanalyze: the file starts like gzip data but");
    }

    [Fact]
    public void A_line_cut_inside_its_pointer_is_no_event()
    {
        using var dir = new TempDir();
        // every line whole but the last, cut inside its pointer; the gzip trailer is lost with it
        var text = "dtrace:::BEGIN\n 11879     ex_dtrace.py:66   -> f malloc(1) pntr 0x7fa2ee42ce20\n" +
                   " 11879     ex_dtrace.py:67   -> f malloc(58113) pntr 0x7f8911";
        var cut = dir.File("cut.log.gz");
        File.WriteAllBytes(cut, Gzip(System.Text.Encoding.ASCII.GetBytes(text))[..^8]);
        var run = Pmanalyze.Ok("import", cut, "--db", dir.Db, "-q");
        Assert.Contains("warning: the gzip data ends early, after 140 bytes of log", run.Stdout);
        Assert.Equal(["2,malloc,1,140337758785056"], Events(dir.Db));
        var unparsed = Assert.Single(Pmanalyze.Ok("query", "SELECT line, text FROM unparsed", "--db", dir.Db, "--format", "json").Json.AsArray())!;
        Assert.Equal(3, unparsed["line"]!.GetValue<long>());
        Assert.Equal(" 11879     ex_dtrace.py:67   -> f malloc(58113) pntr 0x7f8911", unparsed["text"]!.GetValue<string>());
    }
}
