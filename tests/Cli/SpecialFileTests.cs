using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>
/// Files that are not regular files (issue 10, point 3). A database is a regular file (or a path to create): a FIFO
/// once hung every read-only command and /dev/null read as a database without tables. A log may be anything that
/// streams: a FIFO is read like standard input, /dev/null is an empty log.
/// </summary>
public class SpecialFileTests
{
    static readonly string Libc = Fixtures.Seed("01-11672-cmalloc.log");
    static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_fifo_as_database_is_refused_at_once()
    {
        using var dir = new TempDir();
        var fifo = dir.File("db.fifo");
        Posix.MakeFifo(fifo);
        foreach (var report in new[] { "summary", "traces", "leaks" })
            Pmanalyze.OneLineFailure(Pmanalyze.ExecWithin(NoHang, report, "--db", fifo), $"'{fifo}' is a FIFO, not a database file");
        Pmanalyze.OneLineFailure(Pmanalyze.ExecWithin(NoHang, "query", "SELECT 1", "--db", fifo), "is a FIFO");
        Pmanalyze.OneLineFailure(Pmanalyze.ExecWithin(NoHang, "import", Libc, "--db", fifo), "is a FIFO");
    }

    [Fact]
    public void A_character_device_as_database_is_refused()
    {
        Pmanalyze.OneLineFailure(Pmanalyze.ExecWithin(NoHang, "summary", "--db", "/dev/null"), "'/dev/null' is a character device, not a database file");
        Pmanalyze.OneLineFailure(Pmanalyze.ExecWithin(NoHang, "import", Libc, "--db", "/dev/null"), "is a character device");
    }

    [Fact]
    public void A_symlink_to_a_database_is_a_database()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Libc, "--db", dir.Db, "-q");
        var link = dir.File("link.db");
        File.CreateSymbolicLink(link, dir.Db);
        Assert.Equal(9, Pmanalyze.Ok("summary", "--db", link, "--format", "json").Json["events"]!.GetValue<long>());
        Assert.Contains("as trace 2", Pmanalyze.Ok("import", Fixtures.Seed("07-30620-pyobject-release.log"), "--db", link, "-q").Stdout);
        Assert.True(File.ResolveLinkTarget(link, false) is not null, "the link stays a link");
    }

    [Fact]
    public void A_fifo_as_log_streams_like_standard_input()
    {
        using var dir = new TempDir();
        var fifo = dir.File("trace.fifo");
        Posix.MakeFifo(fifo);
        var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(Libc))); // opening blocks until pmanalyze reads
        var run = Pmanalyze.ExecWithin(NoHang, "import", fifo, "--db", dir.Db, "-q");
        writer.Wait(NoHang);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("47 lines, 9 events", run.Stdout);
        Assert.Equal(1477, Pmanalyze.Ok("summary", "--db", dir.Db, "--format", "json").Json["bytes_outstanding"]!.GetValue<long>());
    }

    [Fact]
    public void A_gzip_log_through_a_fifo()
    {
        using var dir = new TempDir();
        var gz = dir.File("trace.log.gz");
        using (var o = File.Create(gz))
        using (var z = new System.IO.Compression.GZipStream(o, System.IO.Compression.CompressionLevel.Fastest))
            z.Write(File.ReadAllBytes(Libc));
        var fifo = dir.File("trace.fifo");
        Posix.MakeFifo(fifo);
        var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(gz)));
        var run = Pmanalyze.ExecWithin(NoHang, "import", fifo, "--db", dir.Db, "-q");
        writer.Wait(NoHang);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("47 lines, 9 events", run.Stdout);
    }

    [Fact]
    public void Dev_null_as_log_is_an_empty_log()
    {
        using var dir = new TempDir();
        var run = Pmanalyze.ExecWithin(NoHang, "import", "/dev/null", "--db", dir.Db);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("0 lines, 0 events", run.Stdout);
        Assert.Equal(0, Pmanalyze.Ok("summary", "--db", dir.Db, "--format", "json").Json["lines"]!.GetValue<long>());
    }
}
