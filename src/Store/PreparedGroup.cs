using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// The statements one object prepares, disposed together. A constructor that fails halfway disposes the group before
/// it lets the exception go: a statement left to the garbage collector would be finalized on its own thread while the
/// connection is still in use, which SQLite's multi-thread mode does not survive (see Database).
/// </summary>
internal sealed class PreparedGroup(SqliteConnection conn) : IDisposable
{
    readonly List<PreparedStatement> _statements = new();

    public PreparedStatement Prepare(string sql) => Add(new PreparedStatement(conn, sql));

    public PreparedStatement Add(PreparedStatement statement)
    {
        _statements.Add(statement);
        return statement;
    }

    public void Dispose()
    {
        foreach (var statement in _statements) statement.Dispose();
        _statements.Clear();
    }
}
