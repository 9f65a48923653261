using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Inserts many rows of integers (or NULLs) into one table: rows are gathered and inserted 64 per statement, bound
/// through <see cref="BoundValues"/> (a value equal to the one already bound is not bound again). The tables kept at
/// import have hundreds of thousands of rows for some traces (a context per site and stack): a statement and nine
/// managed-to-native bind calls per row took a second for 482 k rows. Rows keep their order; <see cref="Complete"/>
/// inserts the last few.
/// </summary>
internal sealed class IntegerRowsInsert : IDisposable
{
    const int RowsPerStatement = 64;
    readonly SqliteConnection _conn;
    readonly string _table;
    readonly string[] _columns;
    readonly PreparedStatement _many;
    readonly BoundValues _manyValues;
    readonly long?[] _pending;
    int _rows;

    public IntegerRowsInsert(SqliteConnection conn, string table, params string[] columns)
    {
        (_conn, _table, _columns) = (conn, table, columns);
        _many = PreparedInsert.Rows(conn, RowsPerStatement, table, columns);
        _manyValues = new BoundValues(_many, RowsPerStatement * columns.Length);
        _pending = new long?[RowsPerStatement * columns.Length];
    }

    /// <summary>One row, its values in column order.</summary>
    public void Add(params ReadOnlySpan<long?> row)
    {
        if (row.Length != _columns.Length) throw new ArgumentException($"{_table} takes {_columns.Length} values a row, not {row.Length}");
        row.CopyTo(_pending.AsSpan(_rows * _columns.Length));
        if (++_rows < RowsPerStatement) return;
        for (int i = 0; i < _pending.Length; i++)
            if (_pending[i] is { } v) _manyValues.Int(i + 1, v);
            else _manyValues.Null(i + 1);
        _many.Run();
        _rows = 0;
    }

    /// <summary>Inserts the rows still gathered (call once, after the last row).</summary>
    public void Complete()
    {
        if (_rows == 0) return;
        using var one = PreparedInsert.Into(_conn, _table, _columns);
        for (int r = 0; r < _rows; r++)
        {
            for (int c = 0; c < _columns.Length; c++) one.Bind(c + 1, _pending[r * _columns.Length + c]);
            one.Run();
        }
        _rows = 0;
    }

    public void Dispose() => _many.Dispose();
}
