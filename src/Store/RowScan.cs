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

    public readonly struct Row
    {
        readonly nint _stmt;
        internal Row(nint stmt) => _stmt = stmt;
        public long this[int column] => SqliteNative.ColumnInt64(_stmt, column);
    }
}
