using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Model;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Live bytes and blocks after each event, for all pids (stored on every event) or for one pid (the events of that pid
/// replayed through the accounting rules: exactly the view pid_timeline, without its window sorts). Read in one pass
/// in event order and downsampled on the way (<see cref="TimelineSampler"/>), so a million events take well under a second.
/// </summary>
public static class TimelineReport
{
    public const int MinPoints = 3;

    public static ReportTable Total(SqliteConnection conn, long traceId, int? points)
    {
        var sampler = new TimelineSampler(conn.ExecuteScalar<long>("SELECT events FROM traces WHERE id = @traceId", new { traceId }), points);
        var clock = new FirstStamp();
        RowScan.Each(conn, $"SELECT seq, line, live_bytes, live_blocks, coalesce(time_ns, -1) FROM events WHERE {InTrace} ORDER BY id", traceId, null,
            r => sampler.Add(new TimelinePoint(r[0], r[1], r[2], r[3], clock.Saw(r[4]))));
        return Table("Timeline (all pids)", sampler, null, clock.Clock);
    }

    public static ReportTable ForPid(SqliteConnection conn, long traceId, int pid, int? points)
    {
        var (samplers, clock) = Replay(conn, traceId, pid, points);
        return Table($"Timeline (pid {pid})", samplers[pid], null, clock);
    }

    /// <summary>One timeline per pid, each downsampled on its own; rows carry the pid.</summary>
    public static ReportTable PerPid(SqliteConnection conn, long traceId, int? points)
    {
        var rows = new List<object?[]>();
        var (samplers, clock) = Replay(conn, traceId, null, points);
        foreach (var (pid, sampler) in samplers.OrderBy(kv => kv.Key))
            rows.AddRange(Table("", sampler, pid, clock).Rows);
        return new ReportTable("Timeline per pid", [Int("pid"), .. ColumnsOf(clock)], rows);
    }

    public static IReadOnlyList<int> Pids(SqliteConnection conn, long traceId) =>
        conn.Query<int>("SELECT DISTINCT pid FROM events WHERE trace_id = @traceId ORDER BY pid", new { traceId }).ToList();

    /// <summary>The events of trace ?1: its id range, a rowid range scan (ids are consecutive and in seq order within a trace).</summary>
    const string InTrace = "id BETWEEN (SELECT first_event_id FROM traces WHERE id = ?1) AND (SELECT last_event_id FROM traces WHERE id = ?1)";

    static readonly ReportColumn[] Columns = [Int("event"), Int("line"), Int("live_bytes"), Int("live_blocks"), Bool("peak")];

    /// <summary>A timed trace's timeline ends with seconds since its first stamp (null for an unstamped event).</summary>
    static ReportColumn[] ColumnsOf(TraceClock clock) => clock.Timed ? [.. Columns, new ReportColumn("seconds", ColumnType.Real)] : Columns;

    /// <summary>The earliest stamp seen in a pass over the events, so that the clock costs no pass of its own.</summary>
    sealed class FirstStamp
    {
        long _first = long.MaxValue;

        public long Saw(long timeNs)
        {
            if (timeNs >= 0 && timeNs < _first) _first = timeNs;
            return timeNs;
        }

        public TraceClock Clock => new(_first == long.MaxValue ? null : _first);
    }

    /// <summary>Each pid's live bytes after each of its events: its calls replayed through its own ledger.</summary>
    static (Dictionary<int, TimelineSampler>, TraceClock) Replay(SqliteConnection conn, long traceId, int? onlyPid, int? points)
    {
        var counts = conn.Query<(int Pid, long Count)>(
            "SELECT pid, count(*) FROM events WHERE trace_id = @traceId AND (@onlyPid IS NULL OR pid = @onlyPid) GROUP BY pid",
            new { traceId, onlyPid }).ToDictionary(c => c.Pid, c => c.Count);
        var samplers = counts.ToDictionary(c => c.Key, c => new TimelineSampler(c.Value, points));
        var ledgers = counts.ToDictionary(c => c.Key, _ => new HeapLedger());
        string sql = $"""
            SELECT seq, line, pid,
                   CASE kind WHEN 'malloc' THEN {(int)CallKind.Malloc} WHEN 'calloc' THEN {(int)CallKind.Calloc}
                             WHEN 'realloc' THEN {(int)CallKind.Realloc} ELSE {(int)CallKind.Free} END,
                   coalesce(size, 0), ptr, coalesce(old_ptr, 0), coalesce(time_ns, -1)
            FROM events WHERE {InTrace} AND (?2 IS NULL OR pid = ?2) ORDER BY id
            """;
        var clock = new FirstStamp();   // of the pid's events: with --pid, its seconds count from its own first stamp
        RowScan.Each(conn, sql, traceId, onlyPid, r =>
        {
            int pid = (int)r[2];
            var ledger = ledgers[pid];
            ledger.Apply(r[0], pid, new MemoryCall((CallKind)r[3], "", r[4], r[5], OldPointer: r[6]));
            samplers[pid].Add(new TimelinePoint(r[0], r[1], ledger.LiveBytes, ledger.LiveBlocks, clock.Saw(r[7])));
        });
        return (samplers, clock.Clock);
    }

    static ReportTable Table(string title, TimelineSampler sampler, int? pid, TraceClock clock)
    {
        long? peak = sampler.Peak?.Event;
        var rows = sampler.Points().Select(p =>
        {
            object?[] row = [p.Event, p.Line, p.LiveBytes, p.LiveBlocks, p.Event == peak];
            if (clock.Timed) row = [.. row, clock.Seconds(p.TimeNs < 0 ? null : p.TimeNs)];
            return pid is { } id ? [(long)id, .. row] : row;
        }).ToList();
        return new ReportTable(title, ColumnsOf(clock), rows);
    }
}
