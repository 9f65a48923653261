using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using SQLitePCL;

namespace PyMemTrace.Reports.Queries;

/// <summary>Runs the user's own SQL; column types are read off the values.</summary>
public static class AdHocQuery
{
    /// <exception cref="StoreException">The SQL would write (checked statement by statement) or does not compile.</exception>
    public static ReportTable Run(SqliteConnection conn, string sql, long? traceId = null)
    {
        RefuseWrites(conn, sql);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        if (traceId is { } id && UsesTrace(sql))
            foreach (var prefix in new[] { "$", "@", ":" })
                if (sql.Contains(prefix + "trace", StringComparison.Ordinal)) cmd.Parameters.AddWithValue(prefix + "trace", id);
        using var reader = cmd.ExecuteReader();
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var types = new ColumnType?[names.Length];
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                var t = row[i] switch { null => (ColumnType?)null, long => ColumnType.Integer, double => ColumnType.Real, string => ColumnType.Text, _ => ColumnType.Any };
                if (t is not null) types[i] = types[i] is null || types[i] == t ? t : ColumnType.Any;
            }
            rows.Add(row);
        }
        var columns = names.Select((n, i) => new ReportColumn(n, types[i] ?? ColumnType.Any)).ToArray();
        return new ReportTable("Query", columns, rows);
    }

    /// <summary>Whether the SQL names the trace parameter ($trace, @trace or :trace), bound to query --trace.</summary>
    public static bool UsesTrace(string sql) => TraceParameter.IsMatch(sql);

    static readonly System.Text.RegularExpressions.Regex TraceParameter = new(@"[$@:]trace\b", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>
    /// The connection is read-only, but some statements write elsewhere (VACUUM INTO a new file): every statement must
    /// be one SQLite itself calls read-only.
    /// </summary>
    static void RefuseWrites(SqliteConnection conn, string sql)
    {
        var db = conn.Handle ?? throw new InvalidOperationException("the connection is not open");
        var rest = sql;
        while (!string.IsNullOrWhiteSpace(rest))
        {
            int rc = raw.sqlite3_prepare_v2(db, rest, out var stmt, out var tail);
            using (stmt)
            {
                if (rc != raw.SQLITE_OK)
                    throw new StoreException("SQL error: " + raw.sqlite3_errmsg(db).utf8_to_string());
                if (!stmt.IsInvalid && raw.sqlite3_stmt_readonly(stmt) == 0)
                    throw new StoreException("query refused: the database is opened read-only for queries, so SQL that writes cannot run");
            }
            if (tail == rest) break;
            rest = tail;
        }
    }
}
