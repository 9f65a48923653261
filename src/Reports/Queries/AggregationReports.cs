using System.Text.Json;
using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// DTrace's aggregations as stored in agg_tables and agg_buckets: one row per table with its key columns and buckets
/// nested (JSON, and the DTrace-style text rendering), or one row per bucket (CSV).
/// </summary>
public static class AggregationReports
{
    /// <summary>Columns: line, section, key (list of strings), key_text, kind, total, buckets (list of {value, count[, bound]}), form.</summary>
    public static ReportTable Tables(SqliteConnection conn, long traceId, string? section)
    {
        var tables = Run(conn, "Aggregations",
            """
            SELECT id, line, section, key, key_text, kind, total, form FROM agg_tables
            WHERE trace_id = $trace AND ($section IS NULL OR instr(lower(section), lower($section)) > 0)
            ORDER BY line
            """,
            [Int("id"), Int("line"), Text("section"), Text("key"), Text("key_text"), Text("kind"), Int("total"), Text("form")],
            new Dictionary<string, object?> { ["$trace"] = traceId, ["$section"] = section });
        var buckets = BucketsOf(conn, traceId);
        var rows = tables.Rows.Select(r => new object?[]
        {
            r[1], r[2], JsonSerializer.Deserialize<List<string>>((string)r[3]!)!.Cast<object?>().ToList(), r[4], r[5], r[6],
            buckets.TryGetValue((long)r[0]!, out var b) ? b : new List<object?>(), r[7],
        }).ToList();
        return new ReportTable("Aggregations",
            [Int("line"), Text("section"), new ReportColumn("key", ColumnType.Any), Text("key_text"), Text("kind"), Int("total"),
             new ReportColumn("buckets", ColumnType.Any), Text("form")], rows);
    }

    /// <summary>One row per bucket (scalars: one row with their value), flat for CSV.</summary>
    public static ReportTable Buckets(SqliteConnection conn, long traceId, string? section) => Run(conn, "Aggregation buckets",
        """
        SELECT t.line AS table_line, t.section, t.key, t.kind, t.total, b.bound, b.value, b.count, t.form
        FROM agg_tables t LEFT JOIN agg_buckets b ON b.table_id = t.id
        WHERE t.trace_id = $trace AND ($section IS NULL OR instr(lower(t.section), lower($section)) > 0)
        ORDER BY t.line, b.ord
        """,
        [Int("table_line"), Text("section"), Text("key"), Text("kind"), Int("total"), Text("bound"), Int("value"), Int("count"), Text("form")],
        new Dictionary<string, object?> { ["$trace"] = traceId, ["$section"] = section });

    static Dictionary<long, List<object?>> BucketsOf(SqliteConnection conn, long traceId)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT b.table_id, b.value, b.count, b.bound FROM agg_buckets b JOIN agg_tables t ON t.id = b.table_id
            WHERE t.trace_id = $trace ORDER BY b.table_id, b.ord
            """;
        cmd.Parameters.AddWithValue("$trace", traceId);
        using var reader = cmd.ExecuteReader();
        var result = new Dictionary<long, List<object?>>();
        while (reader.Read())
        {
            var bucket = new Dictionary<string, object?> { ["value"] = reader.GetInt64(1), ["count"] = reader.GetInt64(2) };
            if (!reader.IsDBNull(3)) bucket["bound"] = reader.GetString(3);
            long id = reader.GetInt64(0);
            if (!result.TryGetValue(id, out var list)) result[id] = list = new List<object?>();
            list.Add(bucket);
        }
        return result;
    }
}
