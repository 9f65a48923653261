using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Terminal;

/// <summary>The first minutes with the tool (issue 14): help without a command, help COMMAND, plain option errors, empty reports that say so.</summary>
public class CommandLineTests
{
    [Fact]
    public void No_command_prints_the_help()
    {
        var run = Pmanalyze.Exec();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout);
        Assert.Contains("leaks", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void Help_and_help_command_work()
    {
        Assert.Contains("Commands:", Pmanalyze.Ok("help").Stdout);
        var leaks = Pmanalyze.Ok("help", "leaks").Stdout;
        Assert.Contains("pmanalyze leaks [options]", leaks);
        Assert.Contains("--by", leaks);
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("help", "nosuch"), "no command 'nosuch'");
    }

    [Theory]
    [InlineData("--top: 'abc' is not a whole number", "leaks", "--top", "abc")]
    [InlineData("--top: '1.5' is not a whole number", "functions", "--top", "1.5")]
    [InlineData("--top: '99999999999' is too large (at most 2147483647)", "leaks", "--top", "99999999999")]
    [InlineData("--points: 'many' is not a whole number", "timeline", "--points", "many")]
    [InlineData("--width: 'wide' is not a whole number", "plot", "timeline", "--out", "x.png", "--width", "wide")]
    [InlineData("--top: 'ten' is not a whole number", "import", "x.log", "--top", "ten")]
    public void Option_errors_are_plain_words(string message, params string[] args)
    {
        var run = Pmanalyze.Exec(args);
        Pmanalyze.OneLineFailure(run, message);
        Assert.DoesNotContain("System.", run.Stderr);
        Assert.DoesNotContain("Nullable", run.Stderr);
    }

    /// <summary>--trace and --base take an id or a run's name: a word that names no run says so in plain words.</summary>
    [Theory]
    [InlineData("no trace is named 'latest'", "summary", "--trace", "latest")]
    [InlineData("no trace is named 'first'", "diff", "--base", "first")]
    public void A_trace_named_by_a_word_that_names_no_run(string message, params string[] args)
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        var run = Pmanalyze.Exec([.. args, "--db", dir.Db]);
        Pmanalyze.OneLineFailure(run, message);
        Assert.DoesNotContain("System.", run.Stderr);
    }

    [Fact]
    public void Aggregations_on_a_trace_without_any_say_so()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-base.log"), "--db", dir.Db, "-q");
        var run = Pmanalyze.Ok("aggregations", "--db", dir.Db);
        Assert.Equal("", run.Stdout);
        Assert.Contains("no DTrace aggregations in this trace", run.Stderr);
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        var none = Pmanalyze.Ok("aggregations", "--db", dir.Db, "--section", "no such title");
        Assert.Contains("no aggregation of this trace is in a section whose title contains 'no such title'", none.Stderr);
        Assert.NotEqual("", Pmanalyze.Ok("aggregations", "--db", dir.Db).Stdout);
    }
}
