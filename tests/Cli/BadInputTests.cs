using Microsoft.Data.Sqlite;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>Each bad input: one clear line on stderr, a non-zero exit, no stack trace, the database unharmed.</summary>
public class BadInputTests
{
    [Fact]
    public void A_missing_log()
    {
        using var dir = new TempDir();
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", dir.File("nope.log"), "--db", dir.Db), "does not exist");
        Assert.False(File.Exists(dir.Db));
    }

    [Fact]
    public void A_directory_as_log() 
    {
        using var dir = new TempDir();
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", dir.Path, "--db", dir.Db), "is a directory");
    }

    [Fact]
    public void A_directory_as_database()
    {
        using var dir = new TempDir();
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Path), "is a directory");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("summary", "--db", dir.Path), "is a directory");
    }

    [Fact]
    public void A_file_that_is_not_a_database()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Db, "this is not SQLite, it is a note to myself\n");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db), "not a pmanalyze database");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("summary", "--db", dir.Db), "not a pmanalyze database");
        Assert.Equal("this is not SQLite, it is a note to myself\n", File.ReadAllText(dir.Db));
    }

    [Fact]
    public void An_sqlite_database_of_something_else()
    {
        using var dir = new TempDir();
        using (var c = new SqliteConnection($"Data Source={dir.Db};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE recipes(name TEXT)";
            cmd.ExecuteNonQuery();
        }
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db), "not a pmanalyze one");
    }

    [Fact]
    public void A_database_of_another_schema_version()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        using (var c = new SqliteConnection($"Data Source={dir.Db};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE schema_info SET value = '1' WHERE key = 'version'";
            cmd.ExecuteNonQuery();
        }
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("summary", "--db", dir.Db), "older pmanalyze (schema 1");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Fixtures.Seed("04-12263-pymalloc-767.log"), "--db", dir.Db), "import the logs again");
    }

    [Fact]
    public void A_missing_database_for_a_report()
    {
        using var dir = new TempDir();
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db), "no database");
        Assert.False(File.Exists(dir.Db));
    }

    [Fact]
    public void A_locked_database()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        using var holder = new SqliteConnection($"Data Source={dir.Db};Pooling=false");
        holder.Open();
        using (var lockIt = holder.CreateCommand())
        {
            lockIt.CommandText = "BEGIN EXCLUSIVE";
            lockIt.ExecuteNonQuery();
        }
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Fixtures.Seed("04-12263-pymalloc-767.log"), "--db", dir.Db), "locked");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("summary", "--db", dir.Db), "locked");
    }

    [Fact]
    public void A_read_only_database()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        var before = File.ReadAllBytes(dir.Db);
        using (ReadOnlyFile.Make(dir.Db))
        {
            Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Fixtures.Seed("04-12263-pymalloc-767.log"), "--db", dir.Db), "read-only");
            Assert.Contains("\"events\": 9", Pmanalyze.Ok("summary", "--db", dir.Db, "--format", "json").Stdout); // reports still read it
        }
        Assert.Equal(before, File.ReadAllBytes(dir.Db));
    }

    [Fact]
    public void Bad_sql_and_writes_in_query()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "SELEC nonsense", "--db", dir.Db), "SQL error");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "SELECT * FROM no_such_table", "--db", dir.Db), "no such table");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "DELETE FROM events", "--db", dir.Db), "view");    // events reads event_rows
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "DELETE FROM event_rows", "--db", dir.Db), "read-only");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "DROP TABLE event_rows", "--db", dir.Db), "read-only");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "DROP VIEW events", "--db", dir.Db), "read-only");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "SELECT 1; DELETE FROM event_rows", "--db", dir.Db), "read-only");
        var copy = dir.File("copy.db");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", $"VACUUM INTO '{copy}'", "--db", dir.Db), "read-only");   // would write a new file
        Assert.False(File.Exists(copy));
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", $"ATTACH DATABASE '{dir.File("other.db")}' AS other", "--db", dir.Db), "(ATTACH is not one)");
        Assert.False(File.Exists(dir.File("other.db")));
        Assert.Equal("9", Pmanalyze.Ok("query", "SELECT count(*) AS n FROM events", "--db", dir.Db, "--format", "csv").Stdout.Split('\n')[1].Trim());
    }

    [Fact]
    public void Unknown_command_format_and_trace()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("frobnicate"), "frobnicate");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--format", "xml"), "unknown format 'xml'");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--trace", "42"), "no trace 42");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--trace", "forty"), "forty");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--top", "0"), "--top must be 1 or more");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("check", "--db", dir.Db, "--max-leaked-bytes", "-1"), "must be 0 or more");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("report", "--db", dir.Db, "--out", dir.File("missing/r.html")), "folder '" + dir.File("missing") + "' does not exist");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("plot", "timeline", "--db", dir.Db, "--out", dir.File("missing/t.png")), "does not exist");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("report", "--db", dir.Db, "--out", dir.Path), "is a directory: --out names the file to write");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("report", "--db", dir.Db, "--out", ""), "--out needs a file name");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("export", "--db", dir.Db, "--out", ""), "--out needs a directory name");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", ""), "--db needs a file name");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("summary", "--db", " "), "--db needs a file name");
        // reports shown whole do not offer a --top they would ignore
        foreach (var whole in new[] { "summary", "sizes", "aggregations", "reconcile" })
            Pmanalyze.OneLineFailure(Pmanalyze.Exec(whole, "--db", dir.Db, "--top", "3"), "Unrecognized command or argument '--top'");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("timeline", "--db", dir.Db, "--top", "3"), "--top goes with --by site");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--format", "folded"), "--format folded needs --by stack");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--from", "2s"), "seconds need a timed log");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("peak", "--db", dir.Db, "--from", "9", "--to", "3"), "--from 9 is after --to 3");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("peak", "--db", dir.Db, "--to", "999999"), "past the trace's last event");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--pid", "1"), "no events of pid 1");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", dir.Db, "--suppressions", dir.File("none.supp")), "no suppressions file");
    }
}
