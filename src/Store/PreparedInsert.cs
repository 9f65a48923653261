using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>One INSERT prepared once and run for every row with new parameter values: no per-row SQL parsing.</summary>
internal sealed class PreparedInsert : IDisposable
{
    readonly SqliteCommand _cmd;
    readonly SqliteParameter[] _params;

    public PreparedInsert(SqliteConnection conn, SqliteTransaction tx, string table, params string[] columns)
    {
        _cmd = conn.CreateCommand();
        _cmd.Transaction = tx;
        _cmd.CommandText = $"INSERT INTO {table}({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        _params = columns.Select((_, i) => _cmd.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        _cmd.Prepare();
    }

    public void Run(params object?[] values)
    {
        for (int i = 0; i < values.Length; i++) _params[i].Value = values[i] ?? DBNull.Value;
        _cmd.ExecuteNonQuery();
    }

    public void Dispose() => _cmd.Dispose();
}

/// <summary>One UPDATE with a single $id parameter, prepared once.</summary>
internal sealed class PreparedUpdate : IDisposable
{
    readonly SqliteCommand _cmd;
    readonly SqliteParameter _id;

    public PreparedUpdate(SqliteConnection conn, SqliteTransaction tx, string sql)
    {
        _cmd = conn.CreateCommand();
        _cmd.Transaction = tx;
        _cmd.CommandText = sql;
        _id = _cmd.Parameters.Add(new SqliteParameter("$id", 0L));
        _cmd.Prepare();
    }

    public void Run(long id)
    {
        _id.Value = id;
        _cmd.ExecuteNonQuery();
    }

    public void Dispose() => _cmd.Dispose();
}
