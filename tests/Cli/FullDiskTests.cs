using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>
/// A full disk, for real: a small tmpfs (issue 10, points 2 and 9). An import rolls back, leaves no journal to play
/// back and names the file system; a figure, a report or an export leaves no empty or partial file behind.
/// </summary>
public class FullDiskTests
{
    static readonly string Small = Fixtures.Generated("libc-2pids-quirks.log");

    static string Traces(string db) => Pmanalyze.Ok("traces", "--db", db, "--format", "json").Stdout;
    static string Summary(string db) => Pmanalyze.Ok("summary", "--db", db, "--trace", "1", "--format", "json").Stdout;

    [TmpfsFact]
    public void An_import_that_fills_the_disk_rolls_back_and_names_the_file_system()
    {
        using var fs = new Tmpfs(2048);
        var db = fs.File("t.db");
        Pmanalyze.Ok("import", Small, "--db", db, "-q");
        var (traces, summary, size) = (Traces(db), Summary(db), new FileInfo(db).Length);
        using var big = new TempDir();
        var log = big.File("big.log");
        var one = File.ReadAllBytes(Fixtures.Generated("gentrace-libc-aggregations-drop25-seed7.log"));
        using (var o = File.Create(log)) for (int i = 0; i < 10; i++) o.Write(one); // ~5 MB of database: more than the 2 MB
        var run = Pmanalyze.Exec("import", log, "--db", db, "-q");
        Pmanalyze.OneLineFailure(run, $"the file system at '{fs.Path}' (holding '{db}') is full: the import was rolled back, the database is as it was");
        Assert.False(File.Exists(db + "-journal"), "no journal left");
        Assert.Equal(size, new FileInfo(db).Length);
        Assert.Equal(traces, Traces(db));
        Assert.Equal(summary, Summary(db));
    }

    /// <summary>A database outside the full file system, and an output file inside it.</summary>
    static (Tmpfs Fs, TempDir Dir) FullOutputFolder()
    {
        var dir = new TempDir();
        Pmanalyze.Ok("import", Small, "--db", dir.Db, "-q");
        var fs = new Tmpfs(256);
        fs.Fill();
        return (fs, dir);
    }

    static void AssertNothingLeft(Tmpfs fs) =>
        Assert.Equal(["filler"], Directory.GetFileSystemEntries(fs.Path).Select(Path.GetFileName).Order());

    [TmpfsFact]
    public void A_report_on_a_full_disk_leaves_no_file()
    {
        var (fs, dir) = FullOutputFolder();
        using (fs) using (dir)
        {
            var run = Pmanalyze.Exec("report", "--db", dir.Db, "--out", fs.File("report.html"));
            Pmanalyze.OneLineFailure(run, $"cannot write '{fs.File("report.html")}': the file system at '{fs.Path}'");
            Assert.Contains("is full; nothing was written", run.Stderr);
            AssertNothingLeft(fs);
        }
    }

    [TmpfsFact]
    public void A_figure_on_a_full_disk_leaves_no_file()
    {
        var (fs, dir) = FullOutputFolder();
        using (fs) using (dir)
        {
            foreach (var name in new[] { "t.png", "t.svg" })
            {
                var run = Pmanalyze.Exec("plot", "timeline", "--db", dir.Db, "--out", fs.File(name));
                Pmanalyze.OneLineFailure(run, $"cannot write '{fs.File(name)}': the file system at '{fs.Path}'");
                AssertNothingLeft(fs);
            }
        }
    }

    [TmpfsFact]
    public void An_export_on_a_full_disk_leaves_no_partial_file()
    {
        var (fs, dir) = FullOutputFolder();
        using (fs) using (dir)
        {
            var run = Pmanalyze.Exec("export", "--db", dir.Db, "--out", fs.File("parquet"));
            Pmanalyze.OneLineFailure(run, $"the file system at '{fs.Path}'");
            Assert.DoesNotContain(Directory.EnumerateFiles(fs.Path, "*", SearchOption.AllDirectories), f => f.EndsWith(".partial"));
        }
    }

    [TmpfsFact]
    public void A_report_that_fits_replaces_the_old_file_whole()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Small, "--db", dir.Db, "-q");
        using var fs = new Tmpfs(4096);
        var out_ = fs.File("report.html");
        File.WriteAllText(out_, "the old report");
        Pmanalyze.Ok("report", "--db", dir.Db, "--out", out_);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(out_), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["report.html"], Directory.GetFileSystemEntries(fs.Path).Select(Path.GetFileName));
    }
}
