using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>Runs report SQL and shapes the rows into a ReportTable with the columns' declared types.</summary>
internal static class ReportSql
{
    public static ReportTable Run(SqliteConnection conn, string title, string sql, IReadOnlyList<ReportColumn> columns,
        IReadOnlyDictionary<string, object?> args, bool asObject = false)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[columns.Count];
            for (int i = 0; i < columns.Count; i++)
                row[i] = reader.IsDBNull(i) ? null : Convert(reader.GetValue(i), columns[i].Type);
            rows.Add(row);
        }
        return new ReportTable(title, columns, rows, asObject);
    }

    static object Convert(object value, ColumnType type) => type switch
    {
        ColumnType.Bool => System.Convert.ToInt64(value) != 0,
        // SQLite turns integer arithmetic past 2^63 into REAL: such a value saturates like the stored totals
        ColumnType.Integer => value is double d ? Saturating.ToInt64(d) : System.Convert.ToInt64(value),
        _ => value,
    };

    public static ReportColumn Int(string name) => new(name, ColumnType.Integer);
    public static ReportColumn Text(string name) => new(name, ColumnType.Text);
    public static ReportColumn Bool(string name) => new(name, ColumnType.Bool);
}
