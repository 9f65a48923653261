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

    public SiteCatalog(SqliteConnection conn)
    {
        _statements = new PreparedGroup(conn);
        try
        {
            _find = _statements.Prepare("SELECT id FROM sites WHERE file = ?1 AND line = ?2 AND function = ?3");
            _insert = _statements.Prepare("INSERT INTO sites(file, line, function) VALUES (?1, ?2, ?3) RETURNING id");
        }
        catch
        {
            _statements.Dispose();
            throw;
        }
    }

    public long IdOf(string file, int line, string function) =>
        _find.Bind(1, file).Bind(2, line).Bind(3, function).Scalar()
        ?? _insert.Bind(1, file).Bind(2, line).Bind(3, function).Scalar()!.Value;

    public void Dispose() => _statements.Dispose();
}
