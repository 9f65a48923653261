using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Gives each (file, line, function) site its row in `sites`, shared by all traces. It is asked once per distinct site
/// of a trace (the import's SiteInterner numbers them first), so it keeps nothing: memory does not grow with the sites.
/// </summary>
internal sealed class SiteCatalog : IDisposable
{
    readonly PreparedGroup _statements;
    readonly PreparedStatement _find, _insert;
    readonly SqliteConnection _conn;
    const int CacheStep = 16_384;
    long _added;

    public SiteCatalog(SqliteConnection conn)
    {
        _conn = conn;
        _statements = new PreparedGroup(conn);
        try
        {
            _find = _statements.Prepare("SELECT id FROM sites WHERE file = ?1 AND line = ?2 AND function = ?3");
            // no RETURNING: SQLite runs it as a trigger, which needs a statement journal, a temporary file written
            // at every insert (3.7 M writes for 865 k new sites); the new row's id is the last inserted rowid
            _insert = _statements.Prepare("INSERT INTO sites(file, line, function) VALUES (?1, ?2, ?3)");
        }
        catch
        {
            _statements.Dispose();
            throw;
        }
    }

    public long IdOf(string file, int line, string function)
    {
        if (_find.Bind(1, file).Bind(2, line).Bind(3, function).Scalar() is { } known) return known;
        if (++_added % CacheStep == 0) GrowCache();
        return _insert.Bind(1, file).Bind(2, line).Bind(3, function).Run();
    }

    /// <summary>
    /// New sites go into the unique index on (file, line, function) in no particular order: once that index outgrows
    /// the import's small page cache, every insert evicts and reads back pages (865 k new sites: 9 s of the writer's
    /// time in the kernel). The cache grows with the sites added, ~80 bytes a site (the index's entries, with room), to at most 128 MB.
    /// </summary>
    void GrowCache()
    {
        long kib = Math.Min(128 * 1024, Math.Max(ImportTuning.CacheMegabytes * 1024, _added * 80 / 1024));
        using var pragma = new PreparedStatement(_conn, $"PRAGMA cache_size = -{kib}");
        pragma.Run();
    }

    public void Dispose() => _statements.Dispose();
}
