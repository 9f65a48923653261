using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>Imports fixture logs into a fresh temporary database and opens it for queries.</summary>
internal sealed class Fixture : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pmanalyze-test-").FullName;

    public string DbPath => Path.Combine(_dir, "test.db");

    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "fixtures", relative);

    public long Import(string relative) => TraceImporter.Import(DbPath, PathOf(relative), force: true).TraceId;

    public SqliteConnection Open() => Database.OpenReadOnly(DbPath);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
