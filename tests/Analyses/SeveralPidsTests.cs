using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// Wherever a trace's totals are shown (summary, leaks, peak, timeline, check, the HTML report's verdict), a trace of
/// several processes says how many it added up; a trace of one says nothing more.
/// </summary>
public sealed class SeveralPidsTests : IDisposable
{
    readonly TempDir _two = new(), _one = new();

    public SeveralPidsTests()
    {
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/two-pids.log"), "--db", _two.Db, "-q");   // pids 100 and 200
        Pmanalyze.Ok("import", Fixtures.Path_("timed/paced-cache.log"), "--db", _one.Db, "-q");
    }

    public void Dispose()
    {
        _two.Dispose();
        _one.Dispose();
    }

    [Fact]
    public void Every_total_of_a_two_pid_trace_says_it_adds_up_two_pids()
    {
        Assert.EndsWith("these totals add up 2 pids (leaks, peak and timeline take --pid P; the HTML report shows each)\n", Pmanalyze.Ok("summary", "--db", _two.Db).Stdout);
        var leaks = Pmanalyze.Ok("leaks", "--db", _two.Db);
        Assert.StartsWith("2 pids in the trace: these leaks add them up (--pid P for one of them)\n", leaks.Stdout);
        var json = Pmanalyze.Ok("leaks", "--db", _two.Db, "--format", "json");
        Assert.Equal(2, json.Json.AsArray().Count);   // stdout stays machine-readable: the line goes to stderr
        Assert.Contains("2 pids in the trace", json.Stderr);
        Assert.DoesNotContain("pids in the trace", Pmanalyze.Ok("leaks", "--db", _two.Db, "--pid", "100").Stdout);
        Assert.Contains("; 2 pids in the trace", Pmanalyze.Ok("peak", "--db", _two.Db).Stdout);
        Assert.Contains("the live bytes of 2 pids added up (--per-pid or --pid P for each)", Pmanalyze.Ok("timeline", "--db", _two.Db).Stdout);
        var check = Pmanalyze.Exec("check", "--db", _two.Db, "--max-leaked-bytes", "10", "--max-leaked-blocks", "5", "--max-peak-bytes", "1000", "--format", "json");
        Assert.Equal(1, check.ExitCode);
        var details = check.Json.AsArray().ToDictionary(r => (string)r!["limit"]!, r => (string)r!["detail"]!);
        Assert.Equal("107 bytes never freed (2 pids added up), 10 bytes allowed", details["max-leaked-bytes"]);
        Assert.Equal("blocks never freed (2 pids added up)", details["max-leaked-blocks"]);
        Assert.Contains("(2 pids added up)", details["max-peak-bytes"]);
        using var conn = InProcess.Read(_two.Db);
        var data = PyMemTrace.Reports.Queries.TraceReportData.Load(conn, 1);
        string html = PyMemTrace.Reports.Rendering.Html.HtmlReportWriter.Render(data, new Dictionary<string, string>());
        Assert.Contains("these are 2 processes added up (each one below)", html);
    }

    [Fact]
    public void A_one_pid_trace_has_no_such_line()
    {
        Assert.DoesNotContain("pids", Pmanalyze.Ok("summary", "--db", _one.Db).Stdout.Split('\n')[^2]);
        Assert.DoesNotContain("pids in the trace", Pmanalyze.Ok("leaks", "--db", _one.Db).Stdout);
        Assert.Contains("; 1 pid in the trace", Pmanalyze.Ok("peak", "--db", _one.Db).Stdout);
        Assert.DoesNotContain("added up", Pmanalyze.Ok("timeline", "--db", _one.Db, "--points", "3").Stdout);
        var check = Pmanalyze.Exec("check", "--db", _one.Db, "--max-leaked-bytes", "10", "--format", "json");
        Assert.DoesNotContain("added up", check.Stdout);
    }
}
