using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>The shipped examples tell the story examples/README.md tells: one clear leak beside churn, and a lossy excerpt that warns.</summary>
public class ExampleTests
{
    static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    [Fact]
    public void The_leaky_cache_example_is_whole_and_its_top_leak_is_the_request_log()
    {
        using var dir = new TempDir();
        var run = Pmanalyze.Ok("import", Example("leaky-cache.log"), "--db", dir.Db);
        Assert.DoesNotContain("warning", run.Stdout);
        var summary = Pmanalyze.Ok("summary", "--db", dir.Db, "--format", "json").Json;
        Assert.Equal(2988, summary["events"]!.GetValue<long>());
        Assert.True(summary["input_complete"]!.GetValue<bool>());
        Assert.False(summary["dropped_records_suspected"]!.GetValue<bool>());
        Assert.Equal(0, summary["missed_frees"]!.GetValue<long>());
        var leaks = Pmanalyze.Ok("leaks", "--db", dir.Db, "--top", "3", "--format", "json").Json.AsArray();
        Assert.Equal(("/srv/shop/leaky_cache.py", 29L, "remember", 201L, 417800L),
            (leaks[0]!["file"]!.GetValue<string>(), leaks[0]!["line"]!.GetValue<long>(), leaks[0]!["function"]!.GetValue<string>(),
             leaks[0]!["count"]!.GetValue<long>(), leaks[0]!["bytes"]!.GetValue<long>()));
        Assert.Contains(leaks, l => l!["function"]!.GetValue<string>() == "render" && l["count"]!.GetValue<long>() == 16);   // the cache's 16 pages

        Pmanalyze.Ok("report", "--db", dir.Db, "--out", dir.File("r.html"));
        string html = File.ReadAllText(dir.File("r.html"));
        Assert.Contains("never freed in 481 blocks. The log was read whole and no drops were reported.", html);
        Assert.Contains("<b id=\"top-leak\">/srv/shop/leaky_cache.py:29 remember</b>", html);
    }

    [Fact]
    public void The_lossy_excerpt_warns_that_events_were_lost()
    {
        using var dir = new TempDir();
        var run = Pmanalyze.Ok("import", Example("debug-build-15114.log"), "--db", dir.Db);
        Assert.Contains("DTRACE DROPPED RECORDS", run.Stdout);
        Pmanalyze.Ok("report", "--db", dir.Db, "--out", dir.File("r.html"));
        Assert.Contains("— but DTrace lost records while tracing", File.ReadAllText(dir.File("r.html")));
    }
}
