using PyMemTrace.Reports.Rendering;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Terminal;

/// <summary>
/// Names from a log or a file name never reach a terminal raw (issue 10, point 4), one long name does not blow up a
/// table (point 5), and no CSV cell starts a spreadsheet formula (point 8).
/// </summary>
public class HostileNameTests : IClassFixture<HostileNameTests.Imported>
{
    public sealed class Imported : ImportedOnce
    {
        public Imported() => Import(HostileLog.Write(Dir.File("hostile.log")));
    }

    readonly Imported _trace;

    public HostileNameTests(Imported trace) => _trace = trace;

    static readonly Dictionary<string, string?> Columns100 = new() { ["COLUMNS"] = "100" };
    static readonly Dictionary<string, string?> NoTerminalWidth = new() { ["COLUMNS"] = null };

    [Fact]
    public void Aggregation_keys_are_shown_with_their_controls_visible()
    {
        var run = Pmanalyze.Ok("aggregations", "--db", _trace.Db);
        Assert.False(HostileLog.HasRawControls(run.Stdout), run.Stdout);
        Assert.Contains(@"Evil\x1bcKey\x07", run.Stdout);
        Assert.Contains("PyDict_New", run.Stdout);
        Assert.True(run.Stdout.Length < 2000, $"{run.Stdout.Length} characters");           // the 1 MiB key is cut...
        Assert.Contains("AAAA" + TerminalText.Ellipsis, run.Stdout);
        Assert.Contains(HostileLog.Long, Pmanalyze.Ok("aggregations", "--db", _trace.Db, "--format", "json").Stdout); // ...and whole in JSON
    }

    [Fact]
    public void Folded_stacks_for_flamegraph_carry_no_raw_control()
    {
        var run = Pmanalyze.Ok("stacks", "--db", _trace.Db);
        Assert.False(HostileLog.HasRawControls(run.Stdout), run.Stdout);
        Assert.Contains(@"ex_dtrace.py:outer\x1bc\x07;ex_dtrace.py:in\x9b31mner 64", run.Stdout);
    }

    [Fact]
    public void Every_table_shows_controls_visibly()
    {
        foreach (var report in new[] { "leaks", "functions", "summary", "temporary" })
        {
            var run = Pmanalyze.ExecWithEnvironment(Columns100, report, "--db", _trace.Db);
            Assert.Equal(0, run.ExitCode);
            Assert.False(HostileLog.HasRawControls(run.Stdout), report + ":\n" + run.Stdout);
        }
        Assert.Contains(@"evil\x1bc\x07\x9b31m", Pmanalyze.ExecWithEnvironment(Columns100, "leaks", "--db", _trace.Db).Stdout);
    }

    [Fact]
    public void A_file_name_with_controls_is_echoed_visibly_by_import_and_by_a_failure()
    {
        using var dir = new TempDir();
        var log = dir.File("x\u001bc\u009b2J.log");
        File.Copy(Fixtures.Seed("01-11672-cmalloc.log"), log);
        var import = Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        Assert.False(HostileLog.HasRawControls(import.Stdout), import.Stdout);
        Assert.Contains(@"x\x1bc\x9b2J.log as trace 1", import.Stdout);

        var missing = Pmanalyze.Exec("summary", "--db", dir.File("bad\u001b[31m\u0007.db"));
        Pmanalyze.OneLineFailure(missing, @"bad\x1b[31m\x07.db");
        Assert.False(HostileLog.HasRawControls(missing.Stderr), missing.Stderr);

        var badLog = Pmanalyze.Exec("import", dir.File("gone\u001bc.log"), "--db", dir.Db);
        Pmanalyze.OneLineFailure(badLog, @"gone\x1bc.log");
    }

    [Fact]
    public void Machine_formats_keep_the_exact_name_json_escapes_it()
    {
        var csv = Pmanalyze.Ok("leaks", "--db", _trace.Db, "--format", "csv").Stdout;
        Assert.Contains("," + HostileLog.Escaped + ",", csv);       // a pipe gets the name as it is
        var json = Pmanalyze.Ok("leaks", "--db", _trace.Db, "--format", "json");
        Assert.False(HostileLog.HasRawControls(json.Stdout));
        Assert.Contains(json.Json.AsArray(), r => r!["function"]!.GetValue<string>() == HostileLog.Escaped);
    }

    [PtyFact]
    public void Csv_on_a_terminal_shows_controls_visibly()
    {
        var run = Pty.Exec(new Dictionary<string, string?>(), "", "leaks", "--db", _trace.Db, "--format", "csv");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(@"evil\x1bc\x07\x9b31m", run.Output);
        Assert.DoesNotContain(run.Output, c => c is '\u001b' or '\u0007' or '\u009b');
    }

    [Fact]
    public void A_one_mebibyte_name_is_cut_in_tables_and_whole_in_csv_and_json()
    {
        int sites = HostileLog.OrdinarySites + 8;
        foreach (var report in new[] { "leaks", "functions" })
        {
            var fitted = Pmanalyze.ExecWithEnvironment(Columns100, report, "--db", _trace.Db);
            Assert.Equal(0, fitted.ExitCode);
            var lines = fitted.Stdout.TrimEnd('\n').Split('\n');
            Assert.True(lines.Length >= sites + 2, report + " lists every site");
            Assert.All(lines, l => Assert.True(TerminalText.Width(l) <= 100, $"{report}: {TerminalText.Width(l)} columns: {l[..Math.Min(l.Length, 120)]}"));
            Assert.Contains("AAAA" + TerminalText.Ellipsis, fitted.Stdout);

            // Not a terminal and no COLUMNS: every column stays, but a cell is cut at 200 columns: output ~ rows, not rows x 1 MiB.
            var piped = Pmanalyze.ExecWithEnvironment(NoTerminalWidth, report, "--db", _trace.Db);
            Assert.True(piped.Stdout.Length < sites * 400, $"{report} printed {piped.Stdout.Length} characters");
            Assert.Contains(new string('A', TableStyle.WidestCell - 1) + TerminalText.Ellipsis, piped.Stdout);
        }
        Assert.Contains(HostileLog.Long, Pmanalyze.Ok("leaks", "--db", _trace.Db, "--format", "csv").Stdout);
        Assert.Contains(HostileLog.Long, Pmanalyze.Ok("functions", "--db", _trace.Db, "--format", "json").Stdout);
    }

    [Fact]
    public void Csv_cells_never_start_a_formula()
    {
        var csv = Pmanalyze.Ok("leaks", "--db", _trace.Db, "--format", "csv").Stdout;
        Assert.Contains("ex_dtrace.py,49,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1,200", csv);
        Assert.Contains("ex_dtrace.py,50,'@SUM(1),1,300", csv);
        Assert.Contains("ex_dtrace.py,51,'-2+3,1,300", csv);
        Assert.Contains("ex_dtrace.py,52,'+cmd,1,300", csv);
        var cells = csv.Split('\n').Skip(1).Where(l => l.Length > 0).SelectMany(l => l.TrimEnd('\r').Split(','));
        Assert.DoesNotContain(cells, c => c.Length > 0 && c[0] is '=' or '@' or '+' or '\t' or '\r');
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("-cmd", "'-cmd")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("-12", "-12")]
    [InlineData("+1.5", "+1.5")]
    [InlineData("-2.5e3", "-2.5e3")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void Inert_neutralises_what_owasp_lists(string cell, string written) => Assert.Equal(written, CsvRenderer.Inert(cell));

    [Fact]
    public void A_negative_number_in_csv_stays_a_number()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-base.log"), "--db", dir.Db, "-q");
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-new.log"), "--db", dir.Db, "-q");
        var csv = Pmanalyze.Ok("diff", "--db", dir.Db, "--base", "2", "--trace", "1", "--format", "csv").Stdout;
        Assert.Matches(@",-\d+,", csv);
        Assert.DoesNotContain(",'-", csv);
    }
}
