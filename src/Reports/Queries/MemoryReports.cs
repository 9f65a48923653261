using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The foundation reports, each a SELECT over the views documented in docs/schema.md, so that
/// `pmanalyze query` reproduces them. Column names are the JSON contract. Summary and functions read the totals kept
/// at import (trace_summary_stored, function_totals_stored: the same figures as trace_summary and function_totals,
/// which scan the events), so they answer at once on a million events.
/// </summary>
public static class MemoryReports
{
    /// <summary>The totals; pids says how many processes they add up (issue 13: several pids are summed).</summary>
    public static ReportTable Summary(SqliteConnection conn, long traceId) => DropReports.WithDropColumns(conn, traceId, WithSaturated(Run(conn, "Summary",
        """
        SELECT lines, events, allocs, reallocs, frees, null_frees, unknown_frees, missed_frees, bytes_allocated, bytes_freed,
               bytes_outstanding, leaked_blocks, peak_bytes, peak_blocks, max_alloc, unparsed_lines,
               peak_event, peak_line, temporary_allocs, input_problem IS NULL AS input_complete, input_problem,
               (SELECT count(*) FROM pid_totals WHERE trace_id = $trace) AS pids
        FROM trace_summary_stored WHERE trace_id = $trace
        """,
        [Int("lines"), Int("events"), Int("allocs"), Int("reallocs"), Int("frees"), Int("null_frees"), Int("unknown_frees"),
         Int("missed_frees"), Int("bytes_allocated"), Int("bytes_freed"), Int("bytes_outstanding"), Int("leaked_blocks"),
         Int("peak_bytes"), Int("peak_blocks"), Int("max_alloc"), Int("unparsed_lines"),
         Int("peak_event"), Int("peak_line"), Int("temporary_allocs"), Bool("input_complete"), Text("input_problem"), Int("pids")],
        Args(traceId), asObject: true)));

    /// <summary>The byte totals that sum many sizes; each is exact, or saturated at 2^63 − 1 when the sum does not fit.</summary>
    public static readonly IReadOnlyList<string> SummedTotals = ["bytes_allocated", "bytes_freed", "bytes_outstanding", "peak_bytes"];

    /// <summary>
    /// Adds <c>saturated</c>: the summed totals that stand at 2^63 − 1, read "this much or more" (docs/schema.md, Numbers),
    /// so that a figure too large for 64 bits is never mistaken for an exact one.
    /// </summary>
    static ReportTable WithSaturated(ReportTable summary)
    {
        var columns = summary.Columns.Append(new ReportColumn("saturated", ColumnType.Any)).ToList();
        var rows = summary.Rows.Select(r => r.Append(SummedTotals
            .Where(name => r[summary.IndexOf(name)] is long v && Saturating.IsSaturated(v)).Cast<object?>().ToList()).ToArray()).ToList();
        return summary with { Columns = columns, Rows = rows };
    }

    public static ReportTable LeakSites(SqliteConnection conn, long traceId, int? top) => Run(conn, "Leaks by site",
        """
        SELECT file, line, function, count, bytes FROM leak_sites WHERE trace_id = $trace
        ORDER BY bytes DESC, file, line, function LIMIT $top
        """,
        [Text("file"), Int("line"), Text("function"), Int("count"), Int("bytes")], Args(traceId, top));

    public static ReportTable LeakedBlocks(SqliteConnection conn, long traceId, int? top) => Run(conn, "Unfreed blocks",
        """
        SELECT pid, pointer, size, file, line, function, log_line FROM leaked_blocks WHERE trace_id = $trace
        ORDER BY size DESC, log_line LIMIT $top
        """,
        [Int("pid"), Text("pointer"), Int("size"), Text("file"), Int("line"), Text("function"), Int("log_line")], Args(traceId, top))
        with { DropFirst = ["log_line", "pid", "line"] };

    public static ReportTable Functions(SqliteConnection conn, long traceId, int? top) => Run(conn, "Functions",
        """
        SELECT file, function, allocs, reallocs, bytes_allocated, frees, bytes_freed, bytes_outstanding
        FROM function_totals_stored WHERE trace_id = $trace
        ORDER BY bytes_allocated DESC, file, function LIMIT $top
        """,
        [Text("file"), Text("function"), Int("allocs"), Int("reallocs"), Int("bytes_allocated"), Int("frees"), Int("bytes_freed"),
         Int("bytes_outstanding")], Args(traceId, top)) with { DropFirst = ["reallocs", "frees", "bytes_freed", "allocs"] };

    public static ReportTable Reallocs(SqliteConnection conn, long traceId, int? top) => Run(conn, "Realloc chains",
        """
        SELECT start_pointer, end_pointer, length, first_size, last_size, freed, file, line, function
        FROM realloc_chains WHERE trace_id = $trace
        ORDER BY length DESC, start_pointer, chain_id LIMIT $top
        """,
        [Text("start_pointer"), Text("end_pointer"), Int("length"), Int("first_size"), Int("last_size"), Bool("freed"),
         Text("file"), Int("line"), Text("function")], Args(traceId, top)) with { DropFirst = ["end_pointer", "freed", "line"] };

    static Dictionary<string, object?> Args(long traceId, int? top = null) =>
        new() { ["$trace"] = traceId, ["$top"] = top is > 0 ? top.Value : -1 };
}
