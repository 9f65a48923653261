using Dapper;
using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Live bytes and blocks after each event, for all pids (events.live_bytes) or one pid (view pid_timeline).
/// Downsampling to at most N points splits the events into equal runs and keeps, from each run, the event with the
/// most live bytes and the one with the fewest, plus the last event: the envelope of the curve survives at that
/// resolution, and the peak (the first event at the maximum) is always one of the points.
/// </summary>
public static class TimelineReport
{
    public const int MinPoints = 3;

    const string AllPids = "SELECT seq AS event, line, live_bytes, live_blocks FROM events WHERE trace_id = $trace";
    const string OnePid = "SELECT event, line, live_bytes, live_blocks FROM pid_timeline WHERE trace_id = $trace AND pid = $pid";

    public static ReportTable Total(SqliteConnection conn, long traceId, int? points) =>
        Query(conn, "Timeline (all pids)", AllPids, traceId, null, points);

    public static ReportTable ForPid(SqliteConnection conn, long traceId, int pid, int? points) =>
        Query(conn, $"Timeline (pid {pid})", OnePid, traceId, pid, points);

    /// <summary>One timeline per pid, each downsampled on its own; rows carry the pid.</summary>
    public static ReportTable PerPid(SqliteConnection conn, long traceId, int? points)
    {
        var rows = new List<object?[]>();
        foreach (var pid in Pids(conn, traceId))
            rows.AddRange(ForPid(conn, traceId, pid, points).Rows.Select(r => new object?[] { (long)pid }.Concat(r).ToArray()));
        return new ReportTable("Timeline per pid", [Int("pid"), .. Columns], rows);
    }

    public static IReadOnlyList<int> Pids(SqliteConnection conn, long traceId) =>
        conn.Query<int>("SELECT DISTINCT pid FROM events WHERE trace_id = @traceId ORDER BY pid", new { traceId }).ToList();

    static readonly ReportColumn[] Columns = [Int("event"), Int("line"), Int("live_bytes"), Int("live_blocks"), Bool("peak")];

    static ReportTable Query(SqliteConnection conn, string title, string source, long traceId, int? pid, int? points)
    {
        if (points is < MinPoints) throw new ArgumentOutOfRangeException(nameof(points), $"--points must be at least {MinPoints}");
        var args = new Dictionary<string, object?> { ["$trace"] = traceId, ["$pid"] = pid };
        long count = conn.ExecuteScalar<long>($"SELECT count(*) FROM ({source.Replace("$trace", "@trace").Replace("$pid", "@pid")})",
            new { trace = traceId, pid });
        long width = points is { } n && count > n ? (count + (n - 1) / 2 - 1) / ((n - 1) / 2) : 1;
        args["$width"] = width;
        return Run(conn, title,
            $"""
            WITH src AS ({source}),
            numbered AS (SELECT *, row_number() OVER (ORDER BY event) AS n FROM src),
            ranked AS (
                SELECT *,
                       row_number() OVER (PARTITION BY (n - 1) / $width ORDER BY live_bytes DESC, event) AS high,
                       row_number() OVER (PARTITION BY (n - 1) / $width ORDER BY live_bytes, event) AS low,
                       row_number() OVER (ORDER BY live_bytes DESC, event) AS peak_rank,
                       max(n) OVER () AS last
                FROM numbered)
            SELECT event, line, live_bytes, live_blocks, peak_rank = 1 AND live_bytes > 0 AS peak
            FROM ranked WHERE high = 1 OR low = 1 OR n = last
            ORDER BY event
            """, Columns, args);
    }
}
