using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Each pid of a trace on its own: its events, its own peak (its blocks replayed through the accounting rules, like
/// timeline --pid) and what it never freed. A trace of several processes is never shown only as their sum.
/// </summary>
public static class PidBreakdown
{
    public static ReportTable For(SqliteConnection conn, long traceId)
    {
        var counts = conn.Query<(long Pid, long Events, long Leaked, long Blocks)>(
            $"""
            SELECT e.pid, count(*), coalesce({SaturatingSumSql.Of("CASE WHEN e.leaked = 1 THEN e.size END")}, 0), coalesce(sum(e.leaked), 0)
            FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id
            WHERE t.id = @traceId GROUP BY e.pid ORDER BY e.pid
            """, new { traceId }).ToList();
        var peaks = new Dictionary<long, (long Bytes, long Event, long Line)>();
        if (counts.Count > 1)
        {
            var perPid = TimelineReport.PerPid(conn, traceId, TimelineReport.MinPoints);
            foreach (var r in perPid.Rows.Where(r => r[perPid.IndexOf("peak")] is true))
                peaks[(long)r[0]!] = ((long)r[perPid.IndexOf("live_bytes")]!, (long)r[perPid.IndexOf("event")]!, (long)r[perPid.IndexOf("line")]!);
        }
        else if (counts.Count == 1)
        {
            var s = conn.QueryFirst<(long Bytes, long Event, long Line)>(
                "SELECT peak_bytes, coalesce(peak_event, 0), coalesce(peak_line, 0) FROM trace_summary_stored WHERE trace_id = @traceId", new { traceId });
            peaks[counts[0].Pid] = s;
        }
        var rows = counts.Select(c =>
        {
            var p = peaks.GetValueOrDefault(c.Pid);
            return new object?[] { c.Pid, c.Events, p.Bytes, p.Event, p.Line, c.Leaked, c.Blocks };
        }).ToList();
        return new ReportTable("Per process",
            [Int("pid"), Int("events"), Int("peak_bytes"), Int("peak_event"), Int("peak_line"), Int("leaked_bytes"), Int("leaked_blocks")], rows);
    }
}
