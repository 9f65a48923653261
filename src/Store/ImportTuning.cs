using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Connection settings for a bulk import, and its transaction. The import stays one transaction with the rollback
/// journal, so a failed or interrupted import leaves the database as it was.
/// </summary>
internal static class ImportTuning
{
    /// <summary>
    /// Page cache of the import. Rows are appended, so a small cache is enough, and measured faster than a large one:
    /// fewer fresh pages to allocate and zero (docs/performance.md).
    /// </summary>
    public const int CacheMegabytes = 4;

    /// <summary>
    /// Sets up the connection and begins the import's transaction (it takes the write lock at once).
    /// Into a database that holds no trace yet, the commit does not wait for the disk (fsync): a power loss can then
    /// cost only this trace (and may damage the file, which holds nothing else: delete it and import again); that
    /// fsync of the whole new file was ~8% of an import. A database holding traces keeps SQLite's full durability.
    /// SQLite lets the setting change only outside a transaction, so emptiness is checked again under the lock: if
    /// another import stored a trace in between, the transaction starts over with full durability.
    /// </summary>
    public static SqliteTransaction Begin(SqliteConnection conn)
    {
        Database.Execute(conn, $"PRAGMA cache_size = -{CacheMegabytes * 1024}; PRAGMA temp_store = FILE;");
        bool fresh = IsEmpty(conn);
        WaitForDisk(conn, !fresh);
        var tx = conn.BeginTransaction(deferred: false);
        if (!fresh || IsEmpty(conn)) return tx;
        tx.Rollback();
        tx.Dispose();
        WaitForDisk(conn, true);
        return conn.BeginTransaction(deferred: false);
    }

    static void WaitForDisk(SqliteConnection conn, bool wait) =>
        Database.Execute(conn, wait ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = OFF;");

    static bool IsEmpty(SqliteConnection conn)
    {
        using var any = new PreparedStatement(conn, "SELECT NOT EXISTS (SELECT 1 FROM traces)");
        return any.Scalar() == 1;
    }
}
