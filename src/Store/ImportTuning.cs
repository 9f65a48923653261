using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Connection settings for a bulk import. The import stays one transaction with the rollback journal, so a failed or
/// interrupted import leaves the database as it was; only the page cache is enlarged (bounded, so memory stays flat).
/// </summary>
internal static class ImportTuning
{
    public const int CacheMegabytes = 32;

    public static void Apply(SqliteConnection conn) =>
        Database.Execute(conn, $"PRAGMA cache_size = -{CacheMegabytes * 1024}; PRAGMA temp_store = FILE;");
}
