using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>The moment a peak report looks at: after event <c>Event</c> (log line <c>Line</c>) live bytes reached <c>Bytes</c>.</summary>
public sealed record PeakMoment(long Event, long Line, long Bytes, long Blocks)
{
    /// <summary>Seconds since the trace's first time stamp, when the log has them (<see cref="TraceClock"/>).</summary>
    public double? Seconds { get; init; }
}

/// <summary>Blocks added up per allocating site and call stack (0: none): what the by-site and by-stack tables show.</summary>
public readonly record struct BlockGroup(long SiteId, long StackId, long Bytes, long Blocks);

/// <summary>
/// Reports over blocks rather than events: what never came back (by site or by call stack), what was live at the peak,
/// within an event window and filters. A block is counted whole or not at all, by its allocating event: its pid, its
/// site and stack (exclusions), its event number (the window). The blocks come from <see cref="BlockReplay"/>, or,
/// for the whole trace's leaks, from the events the import marked leaked (the same blocks, read by index). Over the
/// whole trace and all pids, the groups by site and stack come from context_totals (kept at import: the same sums),
/// so they cost the same on a trace of any length.
/// </summary>
public static class BlockReports
{
    /// <summary>The leaked blocks by site and stack: those the filter keeps.</summary>
    public static IReadOnlyList<BlockGroup> LeakedGroups(SqliteConnection conn, ResolvedFilter f) =>
        Whole(f) ? Kept(conn, f, "leaked_bytes", "leaked_blocks") : Grouped(Leaked(conn, f));

    /// <summary>The blocks live right after the peak moment by site and stack: those the filter keeps.</summary>
    public static IReadOnlyList<BlockGroup> LiveAtPeakGroups(SqliteConnection conn, ResolvedFilter f, PeakMoment peak) =>
        Whole(f) ? Kept(conn, f, "peak_bytes", "peak_blocks") : Grouped(LiveAtPeak(conn, f, peak));

    static bool Whole(ResolvedFilter f) => f.From == 1 && f.To == f.Events && f.Pid is null;

    static List<BlockGroup> Kept(SqliteConnection conn, ResolvedFilter f, string bytes, string blocks) =>
        conn.Query<BlockGroup>(
                $"SELECT site_id AS SiteId, coalesce(stack_id, 0) AS StackId, {bytes} AS Bytes, {blocks} AS Blocks FROM context_totals WHERE trace_id = @t AND {blocks} > 0",
                new { t = f.TraceId })
            .Where(g => !f.ExcludedSites.Contains(g.SiteId) && (g.StackId == 0 || !f.ExcludedStacks.Contains(g.StackId))).ToList();

    public static List<BlockGroup> Grouped(IEnumerable<Block> blocks) =>
        blocks.GroupBy(b => (b.SiteId, b.StackId)).Select(g => new BlockGroup(g.Key.SiteId, g.Key.StackId, Saturating.Sum(g.Select(b => b.Size)), g.Count())).ToList();

    /// <summary>Blocks allocated in the window and still live at its end (the whole trace: the leaks).</summary>
    public static IReadOnlyList<Block> Leaked(SqliteConnection conn, ResolvedFilter f)
    {
        var blocks = f.To < f.Events ? BlockReplay.LiveAfter(conn, f.TraceId, f.To, fromSeq: f.From).Values : LeakedByIndex(conn, f.TraceId);
        return blocks.Where(b => f.Keeps(b)).ToList();
    }

    static IEnumerable<Block> LeakedByIndex(SqliteConnection conn, long traceId) =>
        conn.Query<(long Seq, long Line, int Pid, long Ptr, long Size, long Site, long Stack)>(
                "SELECT seq, line, pid, ptr, size, site_id, coalesce(stack_id, 0) FROM events WHERE trace_id = @traceId AND leaked = 1",
                new { traceId })
            .Select(e => new Block(e.Seq, e.Line, e.Pid, e.Ptr, e.Size, e.Site, e.Stack));

    /// <summary>The first moment of the highest live bytes: of the trace (stored at import), or within the window.</summary>
    public static PeakMoment? Peak(SqliteConnection conn, ResolvedFilter f)
    {
        if (f.From == 1 && f.To == f.Events)
            return conn.QueryFirstOrDefault<PeakMoment>(
                """
                SELECT peak_event AS Event, peak_line AS Line, peak_bytes AS Bytes,
                       (SELECT live_blocks FROM events WHERE id = @first + peak_event - 1) AS Blocks   -- peak_blocks may come at another moment
                FROM trace_totals WHERE trace_id = @t AND peak_event IS NOT NULL
                """, new { t = f.TraceId, first = f.FirstEventId });
        return conn.QueryFirstOrDefault<PeakMoment>(
            "SELECT seq AS Event, line AS Line, live_bytes AS Bytes, live_blocks AS Blocks FROM events WHERE id BETWEEN @a AND @b AND live_bytes > 0 ORDER BY live_bytes DESC, id LIMIT 1",
            new { a = f.IdOf(f.From), b = f.IdOf(f.To) });
    }

    /// <summary>The blocks live right after the peak moment that the filter keeps (allocated from --from on).</summary>
    public static IReadOnlyList<Block> LiveAtPeak(SqliteConnection conn, ResolvedFilter f, PeakMoment peak)
    {
        var atPeak = f with { To = peak.Event };
        return BlockReplay.LiveAfter(conn, f.TraceId, peak.Event, fromSeq: f.From).Values.Where(b => atPeak.Keeps(b)).ToList();
    }

    /// <summary>Leaks by site in the columns of the unfiltered report (view leak_sites): file, line, function, count, bytes.</summary>
    public static ReportTable LeakSites(SqliteConnection conn, IEnumerable<BlockGroup> blocks, int? top)
    {
        var t = BySite(conn, "Leaks by site", blocks, top);
        return t with { Columns = [Text("file"), Int("line"), Text("function"), Int("count"), Int("bytes")], Rows = t.Rows.Select(r => new[] { r[0], r[1], r[2], r[4], r[3] }).ToList() };
    }

    /// <summary>Each block, in the columns of view leaked_blocks: pid, pointer, size, file, line, function, log_line; largest first.</summary>
    public static ReportTable EachBlock(SqliteConnection conn, IEnumerable<Block> blocks, int? top)
    {
        var list = blocks.OrderByDescending(b => b.Size).ThenBy(b => b.Line).ToList();
        var sites = Sites(conn, list.Select(b => b.SiteId));
        var rows = list.Select(b => new object?[] { (long)b.Pid, $"0x{b.Pointer:x}", b.Size, sites[b.SiteId].File, sites[b.SiteId].Line, sites[b.SiteId].Function, b.Line });
        return new ReportTable("Unfreed blocks", [Int("pid"), Text("pointer"), Int("size"), Text("file"), Int("line"), Text("function"), Int("log_line")], Top(rows, top));
    }

    /// <summary>Columns: file, line, function, bytes, blocks; largest first.</summary>
    public static ReportTable BySite(SqliteConnection conn, string title, IEnumerable<BlockGroup> blocks, int? top)
    {
        var groups = blocks.GroupBy(b => b.SiteId).Select(g => (Site: g.Key, Bytes: Saturating.Sum(g.Select(b => b.Bytes)), Blocks: g.Sum(b => b.Blocks))).ToList();
        var sites = Sites(conn, groups.Select(g => g.Site));
        var rows = groups
            .Select(g => new object?[] { sites[g.Site].File, sites[g.Site].Line, sites[g.Site].Function, g.Bytes, g.Blocks })
            .OrderByDescending(r => (long)r[3]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal).ThenBy(r => (long)r[1]!)
            .ThenBy(r => (string)r[2]!, StringComparer.Ordinal);
        return new ReportTable(title, [Text("file"), Int("line"), Text("function"), Int("bytes"), Int("blocks")], Top(rows, top));
    }

    /// <summary>
    /// Columns: stack (frames root first joined by ';', the allocating site 'file:function:line' as the leaf), frames,
    /// blocks, bytes; largest first. The folded form of flame-graph tools.
    /// </summary>
    public static ReportTable ByStack(SqliteConnection conn, string title, IEnumerable<BlockGroup> blocks, int? top)
    {
        var groups = blocks.ToList();
        var sites = Sites(conn, groups.Select(g => g.SiteId));
        var stacks = new StackFrames(conn, groups.Select(g => g.StackId));
        var rows = groups
            .Select(g =>
            {
                var s = sites[g.SiteId];
                return (Path: stacks.PathOf(g.StackId) + ";" + StackFrames.Leaf(s.File, s.Line, s.Function), g.Bytes, g.Blocks);
            })
            .GroupBy(r => r.Path)   // two stack ids never share a path, but stay safe
            .Select(g => new object?[] { g.Key, new FrameList(g.Key), g.Sum(r => r.Blocks), Saturating.Sum(g.Select(r => r.Bytes)) })
            .OrderByDescending(r => (long)r[3]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal);
        return new ReportTable(title, StackColumns, Top(rows, top));
    }

    public static readonly ReportColumn[] StackColumns = [Text("stack"), new ReportColumn("frames", ColumnType.Any), Int("blocks"), Int("bytes")];

    /// <summary>How many pids the trace has events of (pid_totals, kept at import).</summary>
    public static long Pids(SqliteConnection conn, long traceId) => conn.ExecuteScalar<long>(
        "SELECT count(*) FROM pid_totals WHERE trace_id = @traceId", new { traceId });

    internal static Dictionary<long, (string File, long Line, string Function)> Sites(SqliteConnection conn, IEnumerable<long> ids)
    {
        var wanted = ids.Distinct().ToList();
        if (wanted.Count == 0) return [];
        return conn.Query<(long Id, string File, long Line, string Function)>(
                "SELECT id, file, line, function FROM sites WHERE id IN (SELECT value FROM json_each(@ids))",
                new { ids = System.Text.Json.JsonSerializer.Serialize(wanted) })
            .ToDictionary(s => s.Id, s => (s.File, s.Line, s.Function));
    }

    static List<object?[]> Top(IEnumerable<object?[]> rows, int? top) => (top is > 0 ? rows.Take(top.Value) : rows).ToList();
}
