using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Two runs side by side, per allocating site (file, line, function) or per (file, function): leaked bytes and blocks
/// and allocated bytes in the base and in the trace, and the change, sorted by growth of leaked bytes.
/// status: new (allocates only in the trace), vanished (only in the base), changed, unchanged. Without
/// <c>unchanged</c> the unchanged rows are left out (--top counts the rows shown) and the table's note says how many.
/// </summary>
public static class DiffReport
{
    public enum Grouping { Site, Function }

    /// <summary>
    /// Columns a narrow terminal leaves out first: the counts, the allocated bytes, then what the rest implies (the base's
    /// leaked bytes, the status); the site and its leaked bytes and their growth stay.
    /// </summary>
    static readonly string[] DropFirst =
        ["base_leaked_count", "leaked_count", "base_allocated_bytes", "allocated_bytes", "delta_allocated_bytes", "delta_leaked_count",
         "base_leaked_bytes", "status", "line"];

    public static ReportTable Compare(SqliteConnection conn, long baseId, long traceId, Grouping by, int? top, bool unchanged = true)
    {
        if (unchanged) return Query(conn, baseId, traceId, by, top);
        var all = Query(conn, baseId, traceId, by, null);
        int status = all.IndexOf("status");
        var changed = all.Rows.Where(r => (string?)r[status] != "unchanged").ToList();
        int hidden = all.Rows.Count - changed.Count;
        return all with
        {
            Rows = top is > 0 ? changed.Take(top.Value).ToList() : changed,
            Note = hidden == 0 ? null : $"({hidden} unchanged {(by == Grouping.Site ? "site" : "function")}{(hidden == 1 ? "" : "s")} not shown; --unchanged shows them)",
        };
    }

    static ReportTable Query(SqliteConnection conn, long baseId, long traceId, Grouping by, int? top)
    {
        string line = by == Grouping.Site ? "s.line" : "NULL";
        return Run(conn, by == Grouping.Site ? "Diff by site" : "Diff by function",
            $"""
            WITH per AS (
                SELECT e.trace_id, s.file, {line} AS line, s.function,
                       sum(CASE WHEN e.leaked = 1 THEN e.size ELSE 0 END) AS leaked_bytes,
                       sum(e.leaked) AS leaked_count,
                       sum(e.size) AS allocated_bytes
                FROM events e JOIN sites s ON s.id = e.site_id
                WHERE e.trace_id IN ($base, $trace) AND e.kind <> 'free'
                GROUP BY e.trace_id, s.file, {line}, s.function),
            keys AS (SELECT DISTINCT file, line, function FROM per),
            rows AS (
                SELECT k.file, k.line, k.function,
                       coalesce(b.leaked_bytes, 0) AS base_leaked_bytes, coalesce(c.leaked_bytes, 0) AS leaked_bytes,
                       coalesce(b.leaked_count, 0) AS base_leaked_count, coalesce(c.leaked_count, 0) AS leaked_count,
                       coalesce(b.allocated_bytes, 0) AS base_allocated_bytes, coalesce(c.allocated_bytes, 0) AS allocated_bytes,
                       CASE WHEN b.file IS NULL THEN 'new' WHEN c.file IS NULL THEN 'vanished'
                            WHEN b.leaked_bytes = c.leaked_bytes AND b.leaked_count = c.leaked_count
                                 AND b.allocated_bytes = c.allocated_bytes THEN 'unchanged'
                            ELSE 'changed' END AS status
                FROM keys k
                LEFT JOIN per b ON b.trace_id = $base AND b.file = k.file AND b.line IS k.line AND b.function = k.function
                LEFT JOIN per c ON c.trace_id = $trace AND c.file = k.file AND c.line IS k.line AND c.function = k.function)
            SELECT file, line, function, base_leaked_bytes, leaked_bytes, leaked_bytes - base_leaked_bytes AS delta_leaked_bytes,
                   base_leaked_count, leaked_count, leaked_count - base_leaked_count AS delta_leaked_count,
                   base_allocated_bytes, allocated_bytes, allocated_bytes - base_allocated_bytes AS delta_allocated_bytes, status
            FROM rows
            ORDER BY delta_leaked_bytes DESC, delta_allocated_bytes DESC, file, line, function
            LIMIT $top
            """,
            [Text("file"), Int("line"), Text("function"), Int("base_leaked_bytes"), Int("leaked_bytes"), Int("delta_leaked_bytes"),
             Int("base_leaked_count"), Int("leaked_count"), Int("delta_leaked_count"), Int("base_allocated_bytes"),
             Int("allocated_bytes"), Int("delta_allocated_bytes"), Text("status")],
            new Dictionary<string, object?> { ["$base"] = baseId, ["$trace"] = traceId, ["$top"] = top is > 0 ? top.Value : -1 }) with { DropFirst = DropFirst };
    }
}
