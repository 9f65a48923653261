using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Steps through the integer columns of a query on the connection's raw SQLite handle: for reports that read every
/// event of a big trace (a million rows), where ADO.NET's per-value overhead would be most of the time.
/// </summary>
internal static class RowScan
{
    /// <summary>Runs <paramref name="sql"/> with ?1 bound to <paramref name="first"/> and ?2 to <paramref name="second"/> (NULL when absent).</summary>
    public static void Each(SqliteConnection conn, string sql, long first, long? second, Action<Row> onRow)
    {
        var db = conn.Handle ?? throw new InvalidOperationException("the connection is not open");
        int rc = raw.sqlite3_prepare_v2(db, sql, out var stmt);
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        using (stmt)
        {
            raw.sqlite3_bind_int64(stmt, 1, first);
            if (second is { } s) raw.sqlite3_bind_int64(stmt, 2, s);
            else raw.sqlite3_bind_null(stmt, 2);
            var row = new Row(stmt);
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW) onRow(row);
            if (rc != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    public readonly struct Row(sqlite3_stmt stmt)
    {
        public long this[int column] => raw.sqlite3_column_int64(stmt, column);
    }
}
