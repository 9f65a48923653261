using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Connection settings for a bulk import. The import stays one transaction with the rollback journal, so a failed or
/// interrupted import leaves the database as it was.
/// </summary>
internal static class ImportTuning
{
    /// <summary>
    /// Page cache of the import. Rows are appended, so a small cache is enough, and measured faster than a large one:
    /// fewer fresh pages to allocate and zero (docs/performance.md).
    /// </summary>
    public const int CacheMegabytes = 4;

    public static void Apply(SqliteConnection conn)
    {
        Database.Execute(conn, $"PRAGMA cache_size = -{CacheMegabytes * 1024}; PRAGMA temp_store = FILE;");
        // Into a database that holds no trace yet, a power loss can only lose the trace being imported (import the log
        // again), so the commit does not wait for the disk: that fsync of the whole new file was ~8% of an import.
        // A database holding earlier traces keeps SQLite's full durability.
        if (IsEmpty(conn)) Database.Execute(conn, "PRAGMA synchronous = OFF;");
    }

    static bool IsEmpty(SqliteConnection conn)
    {
        using var any = new PreparedStatement(conn, "SELECT NOT EXISTS (SELECT 1 FROM traces)");
        return any.Scalar() == 1;
    }
}
