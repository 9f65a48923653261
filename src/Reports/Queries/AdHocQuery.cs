using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using SQLitePCL;

namespace PyMemTrace.Reports.Queries;

/// <summary>Runs the user's own SQL; column types are read off the values.</summary>
public static class AdHocQuery
{
    /// <exception cref="StoreException">The SQL is not one statement that reads, or does not compile.</exception>
    public static ReportTable Run(SqliteConnection conn, string sql, long? traceId = null)
    {
        var db = conn.Handle ?? throw new InvalidOperationException("the connection is not open");
        using var authorizer = new ReadOnlyAuthorizer(db);
        RefuseAllButOneRead(db, authorizer, sql);
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

    public const string ReadOnly = "the database is opened read-only for queries";

    /// <summary>
    /// One statement, and one that reads: several would print only the first's rows (and one table per format cannot
    /// hold several results), and the read-only connection stops writes to the file but not everything: VACUUM INTO
    /// writes a new file, ATTACH opens another, a pragma changes the connection. Each statement is compiled under the
    /// authorizer and must also be one that SQLite itself calls read-only.
    /// </summary>
    static void RefuseAllButOneRead(sqlite3 db, ReadOnlyAuthorizer authorizer, string sql)
    {
        var rest = sql;
        int statements = 0;
        while (!string.IsNullOrWhiteSpace(rest))
        {
            int rc = raw.sqlite3_prepare_v2(db, rest, out var stmt, out var tail);
            using (stmt)
            {
                if (authorizer.Refused is { } what)
                    throw new StoreException($"query refused: only reads run here ({what} is not one); {ReadOnly}");
                if (rc != raw.SQLITE_OK)
                    throw new StoreException("SQL error: " + raw.sqlite3_errmsg(db).utf8_to_string());
                if (!stmt.IsInvalid) // a comment or a lone ';' compiles to nothing
                {
                    statements++;
                    if (raw.sqlite3_stmt_readonly(stmt) == 0)
                        throw new StoreException($"query refused: {ReadOnly}, so SQL that writes cannot run");
                }
            }
            if (tail == rest) break;
            rest = tail;
        }
        if (statements > 1)
            throw new StoreException($"query runs one statement; this SQL holds {statements}: run each with its own 'pmanalyze query'");
    }
}
