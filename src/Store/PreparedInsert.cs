using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PyMemTrace.Store;

/// <summary>
/// One SQL statement prepared once on the connection's raw SQLite handle and run for every row: values are bound by
/// position (1-based) with no boxing and no per-row SQL. It runs inside whatever transaction the connection has open.
/// The import uses it for its few queries too: no per-query code generation (as Dapper's) in a command that must start fast.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    readonly sqlite3 _db;
    readonly sqlite3_stmt _stmt;

    public PreparedStatement(SqliteConnection conn, string sql)
    {
        _db = conn.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _stmt));
    }

    public PreparedStatement Bind(int index, long value)
    {
        raw.sqlite3_bind_int64(_stmt, index, value);
        return this;
    }

    public PreparedStatement Bind(int index, long? value) => value is { } v ? Bind(index, v) : BindNull(index);

    public PreparedStatement Bind(int index, string? value)
    {
        if (value is null) return BindNull(index);
        raw.sqlite3_bind_text16(_stmt, index, value.AsSpan());
        return this;
    }

    /// <summary>Text already encoded as UTF-8 (constant names such as 'malloc').</summary>
    public PreparedStatement BindUtf8(int index, ReadOnlySpan<byte> utf8)
    {
        raw.sqlite3_bind_text(_stmt, index, utf8);
        return this;
    }

    public PreparedStatement BindNull(int index)
    {
        raw.sqlite3_bind_null(_stmt, index);
        return this;
    }

    /// <summary>Runs the statement with the values bound so far; for an INSERT, returns the new rowid.</summary>
    public long Run()
    {
        int rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
        return raw.sqlite3_last_insert_rowid(_db);
    }

    /// <summary>Steps a query: true while it gives a row, read with <see cref="Int64"/>; reset it when done.</summary>
    public bool Read()
    {
        int rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc != raw.SQLITE_DONE) Check(rc);
        return false;
    }

    public long? Int64(int column) =>
        raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(_stmt, column);

    public string? Text(int column) =>
        raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_stmt, column).utf8_to_string();

    /// <summary>The first column of the first row (null when no row or NULL); the statement is reset after.</summary>
    public long? Scalar()
    {
        try
        {
            return Read() ? Int64(0) : null;
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    public void Reset() => raw.sqlite3_reset(_stmt);

    /// <summary>The raw statement, for <see cref="SqliteNative"/> calls; valid until Dispose.</summary>
    public nint Handle => _stmt.DangerousGetHandle();

    public void Check(int rc)
    {
        if (rc == raw.SQLITE_OK) return;
        throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _stmt.Dispose();
}

/// <summary>An INSERT of the named columns, bound in column order: <c>Bind(1, ...)</c> is the first column.</summary>
internal static class PreparedInsert
{
    public static PreparedStatement Into(SqliteConnection conn, string table, params string[] columns) => Rows(conn, 1, table, columns);

    /// <summary>
    /// An INSERT of <paramref name="rows"/> rows at once: row r's column c is bound at r * columns + c + 1. It is
    /// INSERT OR FAIL: a constraint failure stops the statement without undoing its earlier rows, which spares SQLite
    /// a statement journal (a copy of every page the statement touches). Callers run it inside a transaction that
    /// a failure rolls back whole, so no partial statement is ever kept.
    /// </summary>
    public static PreparedStatement Rows(SqliteConnection conn, int rows, string table, params string[] columns) =>
        new(conn, $"INSERT {(rows > 1 ? "OR FAIL " : "")}INTO {table}({string.Join(", ", columns)}) VALUES " + string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", columns.Select((_, c) => "?" + (r * columns.Length + c + 1))) + ")")));
}
