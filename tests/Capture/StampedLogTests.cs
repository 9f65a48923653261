using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Capture;

/// <summary>A log with time stamps (what record and the bpftrace programs write) imports with each event's time.</summary>
public class StampedLogTests
{
    [Fact]
    public void Stamped_lines_import_with_their_times_and_BEGIN_END_are_recognised()
    {
        using var dir = new TempDir();
        var log = dir.File("stamped.log");
        File.WriteAllText(log, string.Join('\n',
            "@5000000000 dtrace:::BEGIN",
            "@5000000100  4242 /home/u/app.py:7    -> make malloc(100) pntr 0x7f0000001000",
            "@5000000250  4242 /home/u/app.py:8    -> make free(0x7f0000001000)",
            "    4242 /home/u/app.py:9    -> make malloc(24) pntr 0x7f0000002000",
            "",
            "@5000000900 dtrace:::END",
            ""));
        var import = Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        Assert.Contains("3 events", import.Stdout);
        Assert.Contains(" 0 unparsed", import.Stdout);
        var rows = Pmanalyze.Ok("query", "--db", dir.Db, "--format", "json", "SELECT kind, time_ns FROM events ORDER BY id").Json.AsArray();
        Assert.Equal(3, rows.Count);
        Assert.Equal(5000000100L, (long)rows[0]!["time_ns"]!);
        Assert.Equal(5000000250L, (long)rows[1]!["time_ns"]!);
        Assert.Null(rows[2]!["time_ns"]);
        var summary = Pmanalyze.Ok("summary", "--db", dir.Db, "--format", "json").Json;
        Assert.True((bool)summary["input_complete"]!); // BEGIN and END with stamps: a whole block
        Assert.Equal(24L, (long)summary["bytes_outstanding"]!);
    }
}
