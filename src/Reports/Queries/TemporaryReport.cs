using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Temporary allocations per allocating site (view temporary_sites_stored, the counts of view temporary_sites kept at import): blocks freed by the very next memory event of
/// the same pid, as heaptrack defines them; percent is their share of the site's allocations (malloc, calloc, realloc),
/// percent_of_all their share of all allocations of the trace (heaptrack's headline figure, site by site).
/// </summary>
public static class TemporaryReport
{
    public static ReportTable Sites(SqliteConnection conn, long traceId, int? top) => Run(conn, "Temporary allocations",
        """
        SELECT file, line, function, count, bytes, allocs, round(100.0 * count / allocs, 2) AS percent,
               round(100.0 * count / (SELECT allocs + reallocs FROM trace_totals WHERE trace_id = $trace), 4) AS percent_of_all
        FROM temporary_sites_stored WHERE trace_id = $trace
        ORDER BY count DESC, file, line, function LIMIT $top
        """,
        [Text("file"), Int("line"), Text("function"), Int("count"), Int("bytes"), Int("allocs"), SizesReport.Real("percent"),
         SizesReport.Real("percent_of_all")],
        new Dictionary<string, object?> { ["$trace"] = traceId, ["$top"] = top is > 0 ? top.Value : -1 });
}
