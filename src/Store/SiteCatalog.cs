using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>Interns (file, line, function) sites: each distinct site gets one row in `sites`, shared by all traces.</summary>
internal sealed class SiteCatalog : IDisposable
{
    readonly Dictionary<(string File, int Line, string Function), long> _ids = new();
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

    public long IdOf(string file, int line, string function)
    {
        var key = (file, line, function);
        if (_ids.TryGetValue(key, out var id)) return id;
        id = _find.Bind(1, file).Bind(2, line).Bind(3, function).Scalar()
             ?? _insert.Bind(1, file).Bind(2, line).Bind(3, function).Scalar()!.Value;
        _ids[key] = id;
        return id;
    }

    public void Dispose() => _statements.Dispose();
}
