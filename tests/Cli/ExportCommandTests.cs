using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>A folder of exports is a fleet's archive: a second export into it never silently replaces another run.</summary>
public class ExportCommandTests
{
    [Fact]
    public void Exporting_another_run_into_a_folder_that_holds_one_is_refused_and_the_first_run_is_kept()
    {
        using var dir = new TempDir();
        string first = dir.File("first.db"), second = dir.File("second.db"), runs = dir.File("run");
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", first, "--quiet");
        Pmanalyze.Ok("import", Fixtures.Seed("04-12263-pymalloc-767.log"), "--db", second, "--quiet");
        var exported = Pmanalyze.Ok("export", "--db", first, "--out", runs);
        Assert.Contains("leaks                  1 row ", exported.Stdout);
        var traces = File.ReadAllBytes(Path.Combine(runs, "traces.parquet"));

        Pmanalyze.Ok("export", "--db", first, "--out", runs); // the same run again is an update
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("export", "--db", second, "--out", runs), "already holds an export of 1 other run");
        Assert.Equal(traces, File.ReadAllBytes(Path.Combine(runs, "traces.parquet")));

        Pmanalyze.Ok("export", "--db", second, "--out", runs, "--force");
        Assert.NotEqual(traces, File.ReadAllBytes(Path.Combine(runs, "traces.parquet")));
    }

    [Fact]
    public void A_traces_parquet_that_is_not_an_export_is_not_replaced()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "--quiet");
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/traces.parquet"), "somebody else's file\n");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("export", "--db", dir.Db, "--out", dir.File("out")), "already holds an export of something else");
        Assert.Equal("somebody else's file\n", File.ReadAllText(dir.File("out/traces.parquet")));
    }
}
