using Dapper;
using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Into a database without events yet, the events indexes are dropped for the bulk insert and built once at the end,
/// inside the import's transaction (a failed import rolls the drop back too). Into a database that already holds
/// traces they stay, since rebuilding them would cost time in proportion to every trace stored.
/// </summary>
internal sealed class DeferredIndexes
{
    readonly SqliteConnection _conn;
    readonly SqliteTransaction _tx;
    readonly IReadOnlyList<string> _definitions;

    DeferredIndexes(SqliteConnection conn, SqliteTransaction tx, IReadOnlyList<string> definitions) =>
        (_conn, _tx, _definitions) = (conn, tx, definitions);

    public static DeferredIndexes DropIfNoEvents(SqliteConnection conn, SqliteTransaction tx)
    {
        bool empty = conn.ExecuteScalar<long>("SELECT NOT EXISTS (SELECT 1 FROM events)", transaction: tx) == 1;
        var indexes = empty
            ? conn.Query<(string Name, string Sql)>(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name",
                transaction: tx).ToList()
            : [];
        foreach (var (name, _) in indexes) conn.Execute($"DROP INDEX \"{name.Replace("\"", "\"\"")}\"", transaction: tx);
        return new DeferredIndexes(conn, tx, indexes.Select(i => i.Sql).ToList());
    }

    public void Rebuild()
    {
        foreach (var sql in _definitions) _conn.Execute(sql, transaction: _tx);
    }
}
