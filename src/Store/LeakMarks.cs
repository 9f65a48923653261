namespace PyMemTrace.Store;

/// <summary>
/// Sets events.leaked on the events whose blocks are still live at the end, one UPDATE per run of consecutive ids.
/// Many leaks (a trace that never frees) would each insert into the partial index events_leaked in site order, all
/// over the index with the import's small page cache (5 M leaks: 44 s); when this trace brings more leaks than the
/// database already indexes, the index is dropped and built again after, one sort (the transaction undoes both if
/// the import fails).
/// </summary>
internal static class LeakMarks
{
    const int RebuildAbove = 100_000;
    /// <summary>Page cache for the marking and the index build: the sort of millions of keys spills to disk with less.</summary>
    const int CacheMegabytes = 16;

    public static void Mark(Microsoft.Data.Sqlite.SqliteConnection conn, long[] sortedIds)
    {
        string? index = null;
        if (sortedIds.Length > RebuildAbove)
        {
            using (var already = new PreparedStatement(conn, "SELECT count(*) FROM events WHERE leaked = 1"))
                if (already.Scalar() < sortedIds.Length)
                    using (var definition = new PreparedStatement(conn, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'events_leaked'"))
                        index = definition.Read() ? definition.Text(0) : null;
            Run(conn, $"PRAGMA cache_size = -{CacheMegabytes * 1024}");
            if (index is not null) Run(conn, "DROP INDEX events_leaked");
        }
        using (var mark = new PreparedStatement(conn, "UPDATE event_rows SET leaked = 1 WHERE id BETWEEN ?1 AND ?2"))
            for (int i = 0, j; i < sortedIds.Length; i = j)
            {
                for (j = i + 1; j < sortedIds.Length && sortedIds[j] == sortedIds[j - 1] + 1; j++) { }
                mark.Bind(1, sortedIds[i]).Bind(2, sortedIds[j - 1]).Run();
            }
        if (index is not null) Run(conn, index);
        if (sortedIds.Length > RebuildAbove) Run(conn, $"PRAGMA cache_size = -{ImportTuning.CacheMegabytes * 1024}");
    }

    /// <summary>A statement inside the import's transaction (the raw handle: ADO.NET commands want the transaction object).</summary>
    static void Run(Microsoft.Data.Sqlite.SqliteConnection conn, string sql)
    {
        using var statement = new PreparedStatement(conn, sql);
        statement.Run();
    }
}
