using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Which blocks a report counts: those (re)allocated by one pid (--pid), whose allocating site (file or function) and
/// call-stack frames match none of the patterns (--exclude, --suppressions), within an event window (--from, --to:
/// 1-based event numbers, or seconds on a timed trace; "allocated in the window and still live at its end").
/// </summary>
public sealed record EventFilter(int? Pid = null, IReadOnlyList<string>? Exclude = null, long? From = null, long? To = null)
{
    public static readonly EventFilter None = new();

    /// <summary>The window's start in seconds since the trace's first time stamp (instead of <see cref="From"/>): its first event stamped then or later.</summary>
    public double? FromSeconds { get; init; }

    /// <summary>The window's end in seconds (instead of <see cref="To"/>): its last event stamped then or earlier.</summary>
    public double? ToSeconds { get; init; }

    public bool Excludes => Exclude is { Count: > 0 };
    public bool Windowed => From is not null || To is not null || FromSeconds is not null || ToSeconds is not null;

    /// <summary>The patterns of a suppressions file: one a line; blank lines and lines starting with # are skipped.</summary>
    public static IEnumerable<string> ReadSuppressions(string path)
    {
        if (!File.Exists(path)) throw new StoreException($"no suppressions file at '{path}'");
        return File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    /// <summary>The filter applied to one trace: the window as event numbers checked against the trace, patterns as site and stack ids.</summary>
    public ResolvedFilter Resolve(SqliteConnection conn, long traceId)
    {
        var t = conn.QuerySingle<(long First, long Last, long Events)>(
            "SELECT first_event_id, last_event_id, events FROM traces WHERE id = @traceId", new { traceId });
        var (fromNumber, toNumber) = (From, To);
        if (FromSeconds is not null || ToSeconds is not null) (fromNumber, toNumber) = InSeconds(conn, traceId, t.First, t.Last);
        long from = fromNumber ?? 1, to = toNumber ?? t.Events;
        if (From is < 1 || To is < 1) throw new StoreException("--from and --to are event numbers, 1 or more");
        if (from > to && Windowed) throw new StoreException($"--from {from} is after --to {to}");   // a trace of no events has an empty window
        if (t.Events > 0 && to > t.Events) throw new StoreException($"--to {to} is past the trace's last event ({t.Events})");
        if (Pid is { } pid && conn.ExecuteScalar<long>(
                "SELECT EXISTS (SELECT 1 FROM pid_totals WHERE trace_id = @traceId AND pid = @pid)", new { traceId, pid }) == 0)
            throw new StoreException($"trace {traceId} has no events of pid {pid}");
        var globs = (Exclude ?? []).Select(p => new Glob(p)).ToList();
        return new ResolvedFilter(traceId, t.First, t.Events, Pid, from, to,
            globs.Count == 0 ? [] : ExcludedSites(conn, globs), globs.Count == 0 ? [] : ExcludedStacks(conn, globs));
    }

    /// <summary>A window in seconds as event numbers: the first event stamped at or after the start, the last at or before the end.</summary>
    (long? From, long? To) InSeconds(SqliteConnection conn, long traceId, long first, long last)
    {
        if (FromSeconds is < 0 || ToSeconds is < 0) throw new StoreException("--from and --to in seconds count from the first time stamp: 0s or more");
        if (FromSeconds > ToSeconds) throw new StoreException($"--from {FromSeconds}s is after --to {ToSeconds}s");
        var clock = TraceClock.Of(conn, traceId);
        if (!clock.Timed) throw new StoreException($"--{(FromSeconds is not null ? "from" : "to")}: {TraceClock.Untimed}: give event numbers (see 'pmanalyze timeline')");
        long? from = From, to = To;
        if (FromSeconds is { } a)
            from = clock.FirstAtOrAfter(conn, first, last, a) ?? throw new StoreException($"--from {a}s: no event is stamped that late (see the seconds of 'pmanalyze timeline')");
        if (ToSeconds is { } b)
            to = clock.LastAtOrBefore(conn, first, last, b) ?? throw new StoreException($"--to {b}s: no event is stamped that early (see the seconds of 'pmanalyze timeline')");
        if (from > to) throw new StoreException($"no event is stamped between {FromSeconds ?? 0}s and {ToSeconds}s");
        return (from, to);
    }

    static bool AnyMatch(List<Glob> globs, string file, string function) => globs.Any(g => g.Matches(file) || g.Matches(function));

    static HashSet<long> ExcludedSites(SqliteConnection conn, List<Glob> globs) =>
        conn.Query<(long Id, string File, string Function)>("SELECT id, file, function FROM sites")
            .Where(s => AnyMatch(globs, s.File, s.Function)).Select(s => s.Id).ToHashSet();

    /// <summary>Stacks with a matching frame anywhere on them: a frame's parent has a smaller id, so one pass in id order.</summary>
    static HashSet<long> ExcludedStacks(SqliteConnection conn, List<Glob> globs)
    {
        var excluded = new HashSet<long>();
        foreach (var s in conn.Query<(long Id, long? Parent, string File, string Function)>("SELECT id, parent_id, file, function FROM stacks ORDER BY id"))
            if ((s.Parent is { } p && excluded.Contains(p)) || AnyMatch(globs, s.File, s.Function)) excluded.Add(s.Id);
        return excluded;
    }
}

/// <summary>An <see cref="EventFilter"/> bound to one trace.</summary>
public sealed record ResolvedFilter(long TraceId, long FirstEventId, long Events, int? Pid, long From, long To,
    IReadOnlySet<long> ExcludedSites, IReadOnlySet<long> ExcludedStacks)
{
    /// <summary>Does the report count this block (a block is kept or left out whole, by its allocating event)?</summary>
    public bool Keeps(in Block b) => b.Event >= From && b.Event <= To && (Pid is null || b.Pid == Pid)
        && !ExcludedSites.Contains(b.SiteId) && (b.StackId == 0 || !ExcludedStacks.Contains(b.StackId));

    /// <summary>Does the report count this event (for reports over events, not blocks)?</summary>
    public bool KeepsEvent(int pid, long siteId, long stackId) => (Pid is null || pid == Pid)
        && !ExcludedSites.Contains(siteId) && (stackId == 0 || !ExcludedStacks.Contains(stackId));

    public bool Filters => Pid is not null || ExcludedSites.Count > 0 || ExcludedStacks.Count > 0;

    public long IdOf(long seq) => FirstEventId + seq - 1;
}
