using CsCheck;
using PyMemTrace.Parser.Input;
using PyMemTrace.Reports;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;
using Xunit.Abstractions;

namespace PyMemTrace.Tests.Fuzz;

/// <summary>
/// Issue 10's fuzzer: logs made from the fixtures and damaged (cuts, byte flips, garbage, CR/LF mixes, NUL runs, long
/// lines, invalid UTF-8, tables cut short, BEGIN/END misuse, huge and negative numbers, sums past 2^63, mixtures). Each
/// must import, or fail with one line and no stack trace; once imported, the summary counts every line of the file, no
/// total is negative, and every report reads the trace. Cases and replay: <see cref="FuzzSettings"/>.
/// </summary>
public sealed class DamagedLogFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Damaged_logs_import_or_fail_in_one_line_and_every_report_reads_them() =>
        DamagedLog.Generator(FuzzSettings.MaxDamages, FuzzSettings.MaxLongLine)
            .Sample(ImportAndReadEverything, output.WriteLine, seed: FuzzSettings.Seed, iter: FuzzSettings.Cases, print: c => c.ToString());

    [Fact]
    public void Damaged_logs_through_the_real_executable_exit_0_1_or_2_with_at_most_one_line_on_stderr() =>
        DamagedLog.Generator(FuzzSettings.MaxDamages, FuzzSettings.MaxLongLine)
            .Sample(RunTheExecutable, output.WriteLine, seed: FuzzSettings.Seed,
                iter: Math.Max(4, FuzzSettings.Cases / FuzzSettings.CasesPerProcess), print: c => c.ToString());

    static void ImportAndReadEverything(DamagedLog log)
    {
        using var dir = new TempDir();
        var bytes = log.Build();
        string path = dir.File("damaged.log");
        File.WriteAllBytes(path, bytes);
        ImportResult result;
        try
        {
            result = TraceImporter.Import(dir.Db, path, force: false);
        }
        catch (TraceInputException e) // the one failure a damaged log may cause: said in one line (exit 2)
        {
            Assert.DoesNotContain('\n', e.Message);
            return;
        }
        Assert.Equal(DamagedLog.LineCount(bytes), result.Lines);
        using var conn = Database.OpenReadOnly(dir.Db);
        var tables = EveryReport.Read(conn, result.TraceId, figures: log.DrawFigures);
        var summary = tables.Single(t => t.Name == "summary").Table;
        Assert.Equal(result.Lines, summary.Rows[0][summary.IndexOf("lines")]);
        foreach (var (name, table) in tables.Where(t => t.Name is "summary" or "leaks" or "leaks --by pointer" or "functions" or "sizes"))
            NoNegativeNumber(name, table);
        foreach (var (_, text) in EveryReport.Rendered(tables)) Assert.NotNull(text);
    }

    static void NoNegativeNumber(string report, ReportTable table)
    {
        foreach (var row in table.Rows)
            for (int i = 0; i < row.Length; i++)
                if (row[i] is long n) Assert.True(n >= 0, $"{report}: {table.Columns[i].Name} = {n}");
    }

    static void RunTheExecutable(DamagedLog log)
    {
        using var dir = new TempDir();
        var bytes = log.Build();
        string path = dir.File("damaged.log");
        File.WriteAllBytes(path, bytes);
        var import = Pmanalyze.Exec("import", path, "--db", dir.Db, "--quiet");
        OneLineAtMost(import);
        if (import.ExitCode != 0) return;
        var summary = Pmanalyze.Exec("summary", "--db", dir.Db, "--format", "json");
        OneLineAtMost(summary);
        Assert.Equal(0, summary.ExitCode);
        Assert.Equal(DamagedLog.LineCount(bytes), (long)summary.Json["lines"]!);
    }

    static void OneLineAtMost(Pmanalyze.Run run)
    {
        Assert.Contains(run.ExitCode, new[] { 0, 1, 2 });
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("Unhandled exception", run.Stderr);
        if (run.ExitCode != 0) Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
