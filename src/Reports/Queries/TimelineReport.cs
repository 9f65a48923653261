using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Model;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Live bytes and blocks after each event, for all pids (stored on every event) or for one pid (the events of that pid
/// replayed through the accounting rules: exactly the view pid_timeline, without its window sorts), downsampled
/// (<see cref="TimelineSampler"/>). A downsampled timeline reads the buckets kept at import (timeline_buckets: a few
/// thousand rows whatever the trace's length) when its runs span whole buckets, rounding each run up to whole
/// buckets; finer ones read the events in one pass.
/// </summary>
public static class TimelineReport
{
    public const int MinPoints = 3;

    public static ReportTable Total(SqliteConnection conn, long traceId, int? points) =>
        Table(conn, traceId, "Timeline (all pids)", Stored(conn, traceId, null, points) ?? ScanTotal(conn, traceId, points), null);

    static TimelineSampler ScanTotal(SqliteConnection conn, long traceId, int? points)
    {
        var sampler = new TimelineSampler(conn.ExecuteScalar<long>("SELECT events FROM traces WHERE id = @traceId", new { traceId }), points);
        RowScan.Each(conn, $"SELECT seq, line, live_bytes, live_blocks FROM events WHERE {InTrace} ORDER BY id", traceId, null,
            r => sampler.Add(new TimelinePoint(r[0], r[1], r[2], r[3])));
        return sampler;
    }

    public static ReportTable ForPid(SqliteConnection conn, long traceId, int pid, int? points) =>
        Table(conn, traceId, $"Timeline (pid {pid})", Stored(conn, traceId, pid, points) ?? Replay(conn, traceId, pid, points)[pid], null);

    /// <summary>One timeline per pid, each downsampled on its own; rows carry the pid.</summary>
    public static ReportTable PerPid(SqliteConnection conn, long traceId, int? points)
    {
        var samplers = Pids(conn, traceId).ToDictionary(pid => pid, pid => Stored(conn, traceId, pid, points));
        if (samplers.ContainsValue(null))
            foreach (var (pid, replayed) in Replay(conn, traceId, null, points))
                samplers[pid] ??= replayed;
        var rows = new List<object?[]>();
        foreach (var (pid, sampler) in samplers.OrderBy(kv => kv.Key))
            rows.AddRange(Table(conn, traceId, "", sampler!, pid).Rows);
        return new ReportTable("Timeline per pid", [Int("pid"), .. Columns, .. TraceClock.Of(conn, traceId).Timed ? [Seconds] : Array.Empty<ReportColumn>()], rows);
    }

    public static IReadOnlyList<int> Pids(SqliteConnection conn, long traceId) =>
        conn.Query<int>("SELECT pid FROM pid_totals WHERE trace_id = @traceId ORDER BY pid", new { traceId }).ToList();

    sealed record StoredSeries(long Events, long Width, long LastEvent, long LastLine, long LastBytes, long LastBlocks);

    /// <summary>The timeline kept at import (<paramref name="pid"/> null: all pids); null when there is none or the points asked for are finer than its buckets.</summary>
    static TimelineSampler? Stored(SqliteConnection conn, long traceId, int? pid, int? points)
    {
        var series = conn.QueryFirstOrDefault<StoredSeries>(
            """
            SELECT events AS Events, width AS Width, last_event AS LastEvent, last_line AS LastLine, last_bytes AS LastBytes, last_blocks AS LastBlocks
            FROM timeline_series WHERE trace_id = @traceId AND pid IS @pid
            """, new { traceId, pid });
        long run = series is null ? 0 : TimelineSampler.RunWidth(series.Events, points);
        if (series is null || run < series.Width) return null;
        var sampler = TimelineSampler.OverBuckets((run + series.Width - 1) / series.Width);
        RowScan.Each(conn, """
            SELECT high_event, high_line, high_bytes, high_blocks, low_event, low_line, low_bytes, low_blocks
            FROM timeline_buckets WHERE trace_id = ?1 AND pid IS ?2 ORDER BY bucket
            """, traceId, pid, r => sampler.AddBucket(new TimelinePoint(r[0], r[1], r[2], r[3]), new TimelinePoint(r[4], r[5], r[6], r[7])));
        sampler.EndsWith(new TimelinePoint(series.LastEvent, series.LastLine, series.LastBytes, series.LastBlocks));
        return sampler;
    }

    /// <summary>The events of trace ?1: its id range, a rowid range scan (ids are consecutive and in seq order within a trace).</summary>
    const string InTrace = "id BETWEEN (SELECT first_event_id FROM traces WHERE id = ?1) AND (SELECT last_event_id FROM traces WHERE id = ?1)";

    static readonly ReportColumn[] Columns = [Int("event"), Int("line"), Int("live_bytes"), Int("live_blocks"), Bool("peak")];

    /// <summary>A timed trace's timeline ends with each point's seconds since the trace's first time stamp (null: an unstamped event).</summary>
    static readonly ReportColumn Seconds = new("seconds", ColumnType.Real);

    /// <summary>Each pid's live bytes after each of its events: its calls replayed through its own ledger.</summary>
    static Dictionary<int, TimelineSampler> Replay(SqliteConnection conn, long traceId, int? onlyPid, int? points)
    {
        var counts = conn.Query<(int Pid, long Count)>(
            "SELECT pid, events FROM pid_totals WHERE trace_id = @traceId AND (@onlyPid IS NULL OR pid = @onlyPid)",
            new { traceId, onlyPid }).ToDictionary(c => c.Pid, c => c.Count);
        var samplers = counts.ToDictionary(c => c.Key, c => new TimelineSampler(c.Value, points));
        var ledgers = counts.ToDictionary(c => c.Key, _ => new HeapLedger());
        string sql = $"""
            SELECT seq, line, pid,
                   CASE kind WHEN 'malloc' THEN {(int)CallKind.Malloc} WHEN 'calloc' THEN {(int)CallKind.Calloc}
                             WHEN 'realloc' THEN {(int)CallKind.Realloc} ELSE {(int)CallKind.Free} END,
                   coalesce(size, 0), ptr, coalesce(old_ptr, 0)
            FROM events WHERE {InTrace} AND (?2 IS NULL OR pid = ?2) ORDER BY id
            """;
        RowScan.Each(conn, sql, traceId, onlyPid, r =>
        {
            int pid = (int)r[2];
            var ledger = ledgers[pid];
            ledger.Apply(r[0], pid, new MemoryCall((CallKind)r[3], "", r[4], r[5], OldPointer: r[6]));
            samplers[pid].Add(new TimelinePoint(r[0], r[1], ledger.LiveBytes, ledger.LiveBlocks));
        });
        return samplers;
    }

    static ReportTable Table(SqliteConnection conn, long traceId, string title, TimelineSampler sampler, int? pid)
    {
        long? peak = sampler.Peak?.Event;
        var points = sampler.Points();
        var clock = TraceClock.Of(conn, traceId);
        var seconds = clock.Timed ? clock.SecondsOf(conn, traceId, points.Select(p => p.Event)) : null;
        var rows = points.Select(p =>
        {
            object?[] row = [p.Event, p.Line, p.LiveBytes, p.LiveBlocks, p.Event == peak];
            if (seconds is not null) row = [.. row, seconds.GetValueOrDefault(p.Event)];
            return pid is { } id ? [(long)id, .. row] : row;
        }).ToList();
        return new ReportTable(title, seconds is null ? Columns : [.. Columns, Seconds], rows);
    }
}
