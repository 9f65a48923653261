using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>import --name: a run named once, chosen by name wherever --trace or --base is taken, and in query's $trace.</summary>
public class RunNameTests
{
    static readonly string Libc = Fixtures.Seed("01-11672-cmalloc.log");
    static readonly string PyObject = Fixtures.Seed("07-30620-pyobject-release.log");

    [Fact]
    public void Reports_take_a_run_by_name_and_query_binds_its_id_to_trace()
    {
        using var dir = new TempDir();
        Assert.Contains("as trace 1 ('base')", Pmanalyze.Ok("import", Libc, "--db", dir.Db, "--name", "base", "-q").Stdout);
        Pmanalyze.Ok("import", PyObject, "--db", dir.Db, "--name", "pr-7", "-q");
        Assert.Equal(9, Pmanalyze.Ok("summary", "--db", dir.Db, "--trace", "base", "--format", "json").Json["events"]!.GetValue<long>());
        Assert.Equal(68, Pmanalyze.Ok("summary", "--db", dir.Db, "--trace", "pr-7", "--format", "json").Json["events"]!.GetValue<long>());
        var q = Pmanalyze.Ok("query", "SELECT count(*) AS n FROM events WHERE trace_id = $trace", "--db", dir.Db, "--trace", "base", "--format", "json");
        Assert.Equal(9, q.Json[0]!["n"]!.GetValue<long>());
        Assert.Equal(68, Pmanalyze.Ok("query", "SELECT count(*) AS n FROM events WHERE trace_id = $trace", "--db", dir.Db, "--format", "json").Json[0]!["n"]!.GetValue<long>());
        var diff = Pmanalyze.Ok("diff", "--db", dir.Db, "--base", "base", "--trace", "pr-7", "--format", "json").Json.AsArray();
        Assert.Contains(diff, r => r!["base_leaked_bytes"]!.GetValue<long>() == 1477);
        var traces = Pmanalyze.Ok("traces", "--db", dir.Db, "--format", "json").Json.AsArray();
        Assert.Equal(["base", "pr-7"], traces.Select(t => t!["run_name"]!.GetValue<string>()));
    }

    [Fact]
    public void A_name_is_given_once_never_all_digits_and_a_missing_name_is_said_plainly()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Libc, "--db", dir.Db, "--name", "base", "-q");
        Assert.Contains("already imported as trace 1", Pmanalyze.Ok("import", Libc, "--db", dir.Db, "--name", "base", "-q").Stdout);
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", PyObject, "--db", dir.Db, "--name", "base", "-q"), "already named 'base'");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Libc, "--db", dir.Db, "--name", "other", "-q"), "named 'base'");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", PyObject, "--db", dir.Db, "--name", "42", "-q"), "all digits");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--trace", "nope"), "no trace is named 'nope'");
        Assert.Equal(1, Pmanalyze.Ok("query", "SELECT count(*) AS n FROM traces", "--db", dir.Db, "--format", "json").Json[0]!["n"]!.GetValue<long>());
    }
}
