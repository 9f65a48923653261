using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Seconds in a trace whose lines carry time stamps (events.time_ns: bpftrace's nsecs, '@NANOSECONDS ' before the
/// line, as 'pmanalyze record' and the toolkit's bpftrace programs write them): counted from the first stamped event.
/// A trace without stamps has no clock; a window in seconds then says so in one line.
/// </summary>
public sealed record TraceClock(long? StartNs)
{
    public const string Untimed = "seconds need a timed log (lines stamped '@NANOSECONDS', as 'pmanalyze record' and the toolkit's bpftrace programs write them); this trace has none";

    public bool Timed => StartNs is not null;

    /// <summary>
    /// The trace's clock: a trace is timed when its first event carries a stamp ('pmanalyze record' stamps every
    /// line), so an untimed trace of a million events costs one row to tell; the clock starts at the earliest stamp.
    /// </summary>
    public static TraceClock Of(SqliteConnection conn, long traceId) => new(conn.ExecuteScalar<long?>(
        """
        SELECT CASE WHEN (SELECT e.time_ns FROM traces t JOIN events e ON e.id = t.first_event_id WHERE t.id = @traceId) IS NULL THEN NULL
               ELSE (SELECT min(time_ns) FROM events WHERE id BETWEEN (SELECT first_event_id FROM traces WHERE id = @traceId) AND (SELECT last_event_id FROM traces WHERE id = @traceId))
               END
        """, new { traceId }));

    /// <summary>Seconds of the events <paramref name="seqs"/> (1-based), null for an unstamped one: a timeline's points.</summary>
    public Dictionary<long, double?> SecondsOf(SqliteConnection conn, long traceId, IEnumerable<long> seqs) =>
        conn.Query<(long Seq, long? Ns)>(
                """
                SELECT e.seq, e.time_ns FROM json_each(@seqs) j JOIN events e ON e.id = (SELECT first_event_id FROM traces WHERE id = @traceId) + j.value - 1
                """, new { traceId, seqs = System.Text.Json.JsonSerializer.Serialize(seqs) })
            .ToDictionary(r => r.Seq, r => Seconds(r.Ns));

    /// <summary>Seconds since the first stamp, to the microsecond, of a stamp (null: the event has none, or the trace no clock).</summary>
    public double? Seconds(long? timeNs) => timeNs is { } t && StartNs is { } s ? Math.Round((t - s) / 1e9, 6) : null;   // to the microsecond: time_ns keeps the rest

    /// <summary>The seconds of event <paramref name="seq"/> (1-based), null when it has no stamp (then the trace's clock is not read).</summary>
    public static double? SecondsAt(SqliteConnection conn, ResolvedFilter f, long seq) =>
        conn.ExecuteScalar<long?>("SELECT time_ns FROM events WHERE id = @id", new { id = f.IdOf(seq) }) is { } ns ? Of(conn, f.TraceId).Seconds(ns) : null;

    /// <summary>The first event stamped at or after <paramref name="seconds"/> (a window's start), null when none is.</summary>
    public long? FirstAtOrAfter(SqliteConnection conn, long firstEventId, long lastEventId, double seconds) => conn.ExecuteScalar<long?>(
        "SELECT min(seq) FROM events WHERE id BETWEEN @firstEventId AND @lastEventId AND time_ns >= @ns",
        new { firstEventId, lastEventId, ns = Nanoseconds(seconds) });

    /// <summary>The last event stamped at or before <paramref name="seconds"/> (a window's end), null when none is.</summary>
    public long? LastAtOrBefore(SqliteConnection conn, long firstEventId, long lastEventId, double seconds) => conn.ExecuteScalar<long?>(
        "SELECT max(seq) FROM events WHERE id BETWEEN @firstEventId AND @lastEventId AND time_ns <= @ns",
        new { firstEventId, lastEventId, ns = Nanoseconds(seconds) });

    /// <summary>The stamp <paramref name="seconds"/> after the first, saturating instead of overflowing on absurd input.</summary>
    long Nanoseconds(double seconds) => Saturating.Add(StartNs!.Value, Saturating.ToInt64(Math.Round(seconds * 1e9)));
}
