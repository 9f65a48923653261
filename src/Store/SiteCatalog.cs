using Dapper;
using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>Interns (file, line, function) sites: each distinct site gets one row in `sites`, shared by all traces.</summary>
internal sealed class SiteCatalog(SqliteConnection conn, SqliteTransaction tx)
{
    readonly Dictionary<(string File, int Line, string Function), long> _ids = new();

    public long IdOf(string file, int line, string function)
    {
        var key = (file, line, function);
        if (_ids.TryGetValue(key, out var id)) return id;
        var args = new { file, line, function };
        id = conn.ExecuteScalar<long?>("SELECT id FROM sites WHERE file = @file AND line = @line AND function = @function", args, tx)
             ?? conn.ExecuteScalar<long>("INSERT INTO sites(file, line, function) VALUES (@file, @line, @function) RETURNING id", args, tx);
        _ids[key] = id;
        return id;
    }
}
