using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Steps through the integer columns of a query on the connection's raw SQLite handle: for reports that read every
/// event of a big trace (millions of rows), where ADO.NET's per-value overhead would be most of the time. Columns are
/// read through <see cref="SqliteNative"/>: the general wrapper's handle bookkeeping cost more than SQLite's own work
/// (a window of 10 M events took 9 s to replay).
/// </summary>
public static class RowScan
{
    /// <summary>Runs <paramref name="sql"/> with ?1 bound to <paramref name="first"/> and ?2 to <paramref name="second"/> (NULL when absent).</summary>
    public static void Each(SqliteConnection conn, string sql, long first, long? second, Action<Row> onRow)
    {
        using var statement = new PreparedStatement(conn, sql);
        statement.Bind(1, first).Bind(2, second);
        nint stmt = statement.Handle;
        var row = new Row(stmt);
        int rc;
        while ((rc = SqliteNative.Step(stmt)) == SqliteNative.RowReady) onRow(row);
        if (rc != SqliteNative.Done) statement.Check(rc);
    }

    /// <summary>The same query stepped by the caller, one row at a time: to walk two queries side by side (a merge).</summary>
    public sealed class Cursor : IDisposable
    {
        readonly PreparedStatement _statement;

        public Cursor(SqliteConnection conn, string sql, long first, long? second)
        {
            _statement = new PreparedStatement(conn, sql);
            _statement.Bind(1, first).Bind(2, second);
            Current = new Row(_statement.Handle);
        }

        public Row Current { get; }

        /// <summary>Steps to the next row; false after the last.</summary>
        public bool Next()
        {
            int rc = SqliteNative.Step(_statement.Handle);
            if (rc == SqliteNative.RowReady) return true;
            if (rc != SqliteNative.Done) _statement.Check(rc);
            return false;
        }

        /// <summary>Runs the query again with ?1 bound to <paramref name="first"/>: whether it has a first row (then <see cref="Current"/>).</summary>
        public bool Rerun(long first)
        {
            SqliteNative.Reset(_statement.Handle);
            _statement.Bind(1, first);
            return Next();
        }

        public void Dispose() => _statement.Dispose();
    }

    public readonly struct Row
    {
        readonly nint _stmt;
        internal Row(nint stmt) => _stmt = stmt;
        /// <summary>The column's value; NULL reads as 0.</summary>
        public long this[int column] => SqliteNative.ColumnInt64(_stmt, column);
        public bool IsNull(int column) => SqliteNative.ColumnType(_stmt, column) == SqliteNative.Null;
    }
}
