using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Terminal;

/// <summary>
/// On a real (pseudo-)terminal: failures in red and warnings in yellow, no colour with NO_COLOR or into a pipe, the
/// terminal's width taken from the terminal, and no keypad-transmit sequence (ESC [?1h ESC =) left behind by any command.
/// </summary>
public class ColourAndKeypadTests
{
    const string Keypad = "\u001b[?1h\u001b=";
    static readonly Dictionary<string, string?> Plain = new();

    static string Imported(TempDir dir, string log)
    {
        Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        return dir.Db;
    }

    [PtyFact]
    public void No_command_switches_the_keypad_mode()
    {
        using var dir = new TempDir();
        var db = Imported(dir, Fixtures.Seed("05-15114-debug-pymalloc-177.log"));
        foreach (var args in new[] { new[] { "summary", "--db", db }, ["leaks", "--db", db], ["--help"], [], ["summary", "--db", dir.File("none.db")] })
        {
            var run = Pty.Exec(Plain, "", args);
            Assert.DoesNotContain(Keypad, run.Output);
            Assert.DoesNotContain("\u001b[?1h", run.Output);
        }
    }

    [PtyFact]
    public void A_failure_is_red_on_a_terminal_and_plain_with_no_color()
    {
        using var dir = new TempDir();
        var red = Pty.Exec(Plain, "", "summary", "--db", dir.File("none.db"));
        Assert.Equal(2, red.ExitCode);
        Assert.Contains("\u001b[31mpmanalyze: no database at", red.Output);
        Assert.Contains("\u001b[0m", red.Output);
        var plain = Pty.Exec(new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, "", "summary", "--db", dir.File("none.db"));
        Assert.DoesNotContain("\u001b", plain.Output);
        Assert.Contains("pmanalyze: no database at", plain.Output);
        var piped = Pmanalyze.Exec("summary", "--db", dir.File("none.db"));
        Assert.DoesNotContain("\u001b", piped.Stderr);
    }

    [PtyFact]
    public void A_warning_is_yellow_on_a_terminal()
    {
        using var dir = new TempDir();
        // 05-15114's DTrace totals disagree with its events: the import warns of dropped records
        var run = Pty.Exec(Plain, "", "import", Fixtures.Seed("05-15114-debug-pymalloc-177.log"), "--db", dir.Db);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\u001b[33mwarning: DTRACE DROPPED RECORDS", run.Output);
        var plain = Pty.Exec(new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, "", "import", Fixtures.Seed("05-15114-debug-pymalloc-177.log"), "--db", dir.Db, "--force");
        Assert.Contains("\nwarning: DTRACE DROPPED RECORDS", plain.Output);
        Assert.DoesNotContain("\u001b[33m", plain.Output);
    }

    [PtyFact]
    public void Tables_fit_the_terminal_size_without_columns()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-base.log"), "--db", dir.Db, "-q");
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-new.log"), "--db", dir.Db, "-q");
        foreach (var width in new[] { 80, 100 })
        {
            var run = Pty.Exec(Plain, $"stty cols {width} rows 50", "diff", "--db", dir.Db, "--base", "1", "--trace", "2");
            var lines = run.Output.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
            Assert.True(lines.Length > 10, run.Output);
            Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
            Assert.Contains(lines, l => l.Length > width - 20);               // and it uses the width it has
        }
    }
}
