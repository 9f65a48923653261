using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>
/// query runs one statement that reads, or refuses in one line (issue 10, point 7): several statements once ran only
/// the first, silently, and PRAGMA writable_schema or an ATTACH of an existing file ran on the read-only connection.
/// </summary>
public class QueryRefusalTests(QueryRefusalTests.Imported imported) : IClassFixture<QueryRefusalTests.Imported>
{
    /// <summary>One database for the class: the queries only read it (the tests check that they cannot write).</summary>
    public sealed class Imported : IDisposable
    {
        readonly TempDir _dir = new();
        public string Db => _dir.Db;
        public Imported() => Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", _dir.Db, "-q");
        public void Dispose() => _dir.Dispose();
    }

    readonly string _db = imported.Db;

    [Fact]
    public void Several_statements_are_refused_not_cut_to_the_first()
    {
        var db = _db;
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "SELECT 1; SELECT 2", "--db", db), "query runs one statement; this SQL holds 2");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", "SELECT count(*) FROM events; SELECT count(*) FROM sites; SELECT 3", "--db", db), "holds 3");
    }

    [Theory]
    [InlineData("SELECT count(*) AS n FROM events;")]
    [InlineData("SELECT count(*) AS n FROM events; -- how many")]
    [InlineData("SELECT count(*) AS n FROM events;;\n")]
    [InlineData("/* a note */ SELECT count(*) AS n FROM events")]
    public void One_statement_with_a_trailing_semicolon_or_comment_runs(string sql)
    {
        Assert.Equal(9, Pmanalyze.Ok("query", sql, "--db", _db, "--format", "json").Json[0]!["n"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("PRAGMA writable_schema = ON", "PRAGMA writable_schema")]
    [InlineData("PRAGMA writable_schema = 1; SELECT 1", "PRAGMA writable_schema")]
    [InlineData("PRAGMA query_only = 0", "PRAGMA query_only")]
    [InlineData("PRAGMA journal_mode = OFF", "PRAGMA journal_mode")]
    [InlineData("PRAGMA user_version = 7", "PRAGMA user_version")]
    [InlineData("BEGIN IMMEDIATE", "a transaction")]
    [InlineData("SAVEPOINT s", "a savepoint")]
    [InlineData("CREATE TEMP VIEW v AS SELECT 1", "CREATE")]
    [InlineData("CREATE TEMP TABLE t(x)", "CREATE")]
    public void Statements_that_are_not_reads_are_refused(string sql, string names)
    {
        var run = Pmanalyze.Exec("query", sql, "--db", _db);
        Pmanalyze.OneLineFailure(run, "query refused: only reads run here");
        Assert.Contains(names, run.Stderr);
    }

    [Fact]
    public void Attach_is_refused_even_of_an_existing_database()
    {
        using var dir = new TempDir();
        var db = _db;
        var other = dir.File("other.db");
        Pmanalyze.Ok("import", Fixtures.Seed("07-30620-pyobject-release.log"), "--db", other, "-q");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", $"ATTACH DATABASE '{other}' AS other", "--db", db), "query refused: only reads run here (ATTACH");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("query", $"ATTACH '{dir.File("new.db")}' AS n", "--db", db), "ATTACH");
        Assert.False(File.Exists(dir.File("new.db")));
    }

    [Theory]
    [InlineData("PRAGMA table_info(events)")]
    [InlineData("SELECT name FROM pragma_table_info('events')")]
    [InlineData("PRAGMA page_size")]
    [InlineData("PRAGMA integrity_check")]
    [InlineData("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT sum(i) FROM n")]
    [InlineData("SELECT * FROM leak_sites")]
    public void Reads_run(string sql)
    {
        var run = Pmanalyze.Ok("query", sql, "--db", _db, "--format", "json");
        Assert.NotEmpty(run.Json.AsArray());
    }
}
