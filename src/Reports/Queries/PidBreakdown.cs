using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Each pid of a trace on its own: its events, its own peak (its live bytes, as timeline --pid follows them) and what
/// it never freed, from pid_totals (kept at import). A trace of several processes is never shown only as their sum.
/// </summary>
public static class PidBreakdown
{
    public static ReportTable For(SqliteConnection conn, long traceId) => Run(conn, "Per process",
        """
        SELECT pid, events, peak_bytes, coalesce(peak_event, 0) AS peak_event, coalesce(peak_line, 0) AS peak_line, leaked_bytes, leaked_blocks
        FROM pid_totals WHERE trace_id = $trace ORDER BY pid
        """,
        [Int("pid"), Int("events"), Int("peak_bytes"), Int("peak_event"), Int("peak_line"), Int("leaked_bytes"), Int("leaked_blocks")],
        new Dictionary<string, object?> { ["$trace"] = traceId });
}
