using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>Runs the user's own SQL; column types are read off the values.</summary>
public static class AdHocQuery
{
    public static ReportTable Run(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
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
}
