using System.Diagnostics;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>
/// An import ended by a signal never locks the user out (issue 10, point 2 and the kill tests). SIGINT and SIGTERM roll
/// back, say so in one line and exit 128 + the signal; SIGKILL leaves SQLite's hot journal, which the next command
/// rolls back before it answers. Either way the database holds what it held before, and every report reads it.
/// The real executable is run as a child and signalled while it imports a log of ~35 MB (the fixture's lines repeated).
/// </summary>
public class InterruptedImportTests(InterruptedImportTests.BigLog big) : IClassFixture<InterruptedImportTests.BigLog>
{
    static readonly string Small = Fixtures.Generated("libc-2pids-quirks.log");

    /// <summary>A log big enough that an import runs for seconds: the signal lands inside it, not after it.</summary>
    public sealed class BigLog : IDisposable
    {
        readonly TempDir _dir = new();
        public string Path { get; }

        public BigLog()
        {
            Path = _dir.File("big.log");
            var one = File.ReadAllBytes(Fixtures.Generated("gentrace-libc-aggregations-drop25-seed7.log"));
            using var o = File.Create(Path);
            for (int i = 0; i < 100; i++) o.Write(one);
        }

        public void Dispose() => _dir.Dispose();
    }

    /// <summary>The database before the big import: one small trace, and its reports as JSON.</summary>
    sealed record OldState(string Traces, string Summary, string Leaks);

    static OldState Read(string db) => new(
        Pmanalyze.Ok("traces", "--db", db, "--format", "json").Stdout,
        Pmanalyze.Ok("summary", "--db", db, "--trace", "1", "--format", "json").Stdout,
        Pmanalyze.Ok("leaks", "--db", db, "--trace", "1", "--format", "json").Stdout);

    /// <summary>When the signal is sent: once the import's transaction has begun (its journal exists), or once it has begun
    /// writing the database file itself (the file grows: from then on the journal is "hot", needed to undo it).</summary>
    public enum Phase { Began, Writing }

    /// <summary>Starts the big import and sends <paramref name="signal"/> <paramref name="delayMs"/> after <paramref name="phase"/>.</summary>
    (int ExitCode, string Stderr, TimeSpan SignalToExit) ImportAndSignal(string db, int signal, Phase phase, int delayMs)
    {
        long size = new FileInfo(db).Length;
        using var p = Pmanalyze.Start("import", big.Path, "--db", db, "-q");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        Func<bool> reached = phase == Phase.Began ? () => File.Exists(db + "-journal") : () => new FileInfo(db).Length > size;
        while (!reached() && !p.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(5);
        Thread.Sleep(delayMs);
        if (p.HasExited) // (the message reads the output, which waits for the end: only once it has ended)
            Assert.Fail($"the import ended before the signal (exit {p.ExitCode}): {stdout.Result}{stderr.Result}");
        var signalled = Stopwatch.StartNew();
        Posix.Signal(p.Id, signal);
        if (!p.WaitForExit(TimeSpan.FromSeconds(60))) { p.Kill(true); Assert.Fail("the import did not end within 60 s of the signal"); }
        var took = signalled.Elapsed;
        p.WaitForExit(); // the output's end
        return (p.ExitCode, stderr.Result, took);
    }

    /// <summary>A journal SQLite must play back: there, and begun with its magic (a journal whose header is still zero was never needed).</summary>
    static bool HotJournal(string db)
    {
        if (!File.Exists(db + "-journal")) return false;
        using var j = File.OpenRead(db + "-journal");
        return j.ReadByte() is > 0;
    }

    static void AssertAsItWas(string db, OldState before)
    {
        Assert.Equal(before, Read(db)); // reads first: a hot journal is rolled back by the first command that opens the file
        Assert.False(HotJournal(db), "no journal left to play back");
    }

    [InterruptibleTheory]
    [InlineData(Phase.Began, 0)]
    [InlineData(Phase.Writing, 0)]
    [InlineData(Phase.Writing, 500)]
    public void Ctrl_c_rolls_back_and_says_so(Phase phase, int delayMs) => RollsBackAndSaysSo(Posix.SIGINT, phase, delayMs);

    [Theory]
    [InlineData(Phase.Began, 0)]
    [InlineData(Phase.Writing, 300)]
    public void Sigterm_rolls_back_and_says_so(Phase phase, int delayMs) => RollsBackAndSaysSo(Posix.SIGTERM, phase, delayMs);

    void RollsBackAndSaysSo(int signal, Phase phase, int delayMs)
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Small, "--db", dir.Db, "-q");
        var before = Read(dir.Db);
        var (exit, stderr, took) = ImportAndSignal(dir.Db, signal, phase, delayMs);
        Assert.Equal("pmanalyze: import interrupted; the database is as it was\n", stderr);
        Assert.Equal(128 + signal, exit);
        Assert.True(took < TimeSpan.FromSeconds(5), $"the import took {took.TotalSeconds:0.0} s to stop");
        Assert.False(File.Exists(dir.Db + "-journal"), "rolled back before exit: no journal left");
        AssertAsItWas(dir.Db, before);
    }

    [Theory]
    [InlineData(Phase.Began, 0)]
    [InlineData(Phase.Writing, 0)]
    [InlineData(Phase.Writing, 500)]
    public void Sigkill_leaves_a_journal_that_the_next_report_rolls_back(Phase phase, int delayMs)
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Small, "--db", dir.Db, "-q");
        var before = Read(dir.Db);
        var (exit, _, _) = ImportAndSignal(dir.Db, Posix.SIGKILL, phase, delayMs);
        Assert.Equal(128 + Posix.SIGKILL, exit);
        Assert.True(File.Exists(dir.Db + "-journal"), "a killed import leaves its journal");
        if (phase == Phase.Writing) Assert.True(HotJournal(dir.Db), "once the file was written, the journal is needed to undo it");
        AssertAsItWas(dir.Db, before);
        Assert.Contains("as trace 2", Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q").Stdout);
    }

    [Fact]
    public void Every_read_only_command_recovers_a_hot_journal()
    {
        foreach (var command in new[] { new[] { "query", "SELECT count(*) FROM traces" }, ["check", "--max-leaked-bytes", "1000000000000"] })
        {
            using var dir = new TempDir();
            Pmanalyze.Ok("import", Small, "--db", dir.Db, "-q");
            var before = Read(dir.Db);
            ImportAndSignal(dir.Db, Posix.SIGKILL, Phase.Writing, 0);
            var run = Pmanalyze.Exec([.. command, "--db", dir.Db]);
            Assert.True(run.ExitCode == 0, $"{command[0]}: {run.Stderr}");
            AssertAsItWas(dir.Db, before);
        }
    }

    [Fact]
    public void A_hot_journal_in_a_folder_that_cannot_be_written_says_what_to_run()
    {
        using var dir = new TempDir();
        var folder = dir.File("ro");
        Directory.CreateDirectory(folder);
        var db = Path.Combine(folder, "t.db");
        Pmanalyze.Ok("import", Small, "--db", db, "-q");
        var before = Read(db);
        ImportAndSignal(db, Posix.SIGKILL, Phase.Writing, 0);
        Assert.True(HotJournal(db));
        using (ReadOnlyFile.Make(folder))
        {
            var run = Pmanalyze.Exec("summary", "--db", db);
            Pmanalyze.OneLineFailure(run, $"'{db}' holds the journal of an interrupted import ('{db}-journal')");
            Assert.Contains("run 'pmanalyze summary --db", run.Stderr);
            Assert.True(HotJournal(db), "left for a user who can write");
        }
        AssertAsItWas(db, before);
    }
}

/// <summary>
/// A theory that is skipped, saying why, when this test process ignores SIGINT (started as a background job of a
/// shell without job control): its child, the import, ignores it too, as it should, and Ctrl-C cannot be tested.
/// </summary>
public sealed class InterruptibleTheoryAttribute : TheoryAttribute
{
    public InterruptibleTheoryAttribute()
    {
        if (Posix.Ignored(Posix.SIGINT))
            Skip = "SIGINT is ignored in this test process (a background job of a shell without job control), so the import it starts ignores it too";
    }
}
