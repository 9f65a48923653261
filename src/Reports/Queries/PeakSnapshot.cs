using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// What was live right after the (first) peak event, for the HTML report's verdict ("held most by") and its flame
/// graph's "live at peak" weight. The events up to the peak are replayed following the verdicts the import stored on
/// each one: a (re)allocation makes its block live (replacing a pointer still live: its free was missed), a realloc or
/// free whose status is 'freed' releases the block it names. So the live blocks add up to the peak's live bytes.
/// (Issue 13's peak report does the same for any window; this is the report's minimal own until it lands.)
/// </summary>
public static class PeakSnapshot
{
    readonly record struct Live(long Size, long Site, long Stack);

    /// <summary>Live bytes and blocks by site (file, line, function, bytes, blocks), largest first, and by stack path.</summary>
    public static (ReportTable BySite, long Blocks, IReadOnlyList<(string Path, long Count, long Bytes)> ByStack) Load(SqliteConnection conn, long traceId, int topSites)
    {
        long peakEvent = conn.ExecuteScalar<long?>("SELECT peak_event FROM trace_summary_stored WHERE trace_id = @traceId", new { traceId }) ?? 0;
        var live = new Dictionary<(long Pid, long Ptr), Live>();
        if (peakEvent > 0)
            RowScan.Each(conn,
                """
                SELECT pid, CASE kind WHEN 'free' THEN 1 WHEN 'realloc' THEN 2 ELSE 0 END, ptr, coalesce(old_ptr, 0), status IS 'freed',
                       coalesce(size, 0), site_id, coalesce(stack_id, 0)
                FROM events WHERE id BETWEEN (SELECT first_event_id FROM traces WHERE id = ?1)
                                         AND (SELECT first_event_id FROM traces WHERE id = ?1) + ?2 - 1 ORDER BY id
                """, traceId, peakEvent, r =>
                {
                    long pid = r[0];
                    if (r[1] == 1)
                    {
                        if (r[4] == 1) live.Remove((pid, r[2]));
                        return;
                    }
                    if (r[1] == 2 && r[2] == 0 && r[3] == 0) return;   // realloc(NULL, n) with no address printed: made nothing live
                    if (r[4] == 1) live.Remove((pid, r[3]));   // a realloc that released its old block
                    live[(pid, r[2])] = new Live(r[5], r[6], r[7]);
                });
        var bySite = live.Values.GroupBy(b => b.Site)
            .Select(g => (Site: g.Key, Bytes: Saturating.Sum(g.Select(b => b.Size)), Blocks: (long)g.Count()))
            .OrderByDescending(g => g.Bytes).ThenBy(g => g.Site).Take(topSites).ToList();
        var sites = conn.Query<(long Id, string File, long Line, string Function)>(
                "SELECT id, file, line, function FROM sites WHERE id IN (SELECT value FROM json_each(@ids))",
                new { ids = System.Text.Json.JsonSerializer.Serialize(bySite.Select(s => s.Site)) })
            .ToDictionary(s => s.Id);
        var table = new ReportTable("Live at the peak", [Text("file"), Int("line"), Text("function"), Int("bytes"), Int("blocks")],
            bySite.Select(s => new object?[] { sites[s.Site].File, sites[s.Site].Line, sites[s.Site].Function, s.Bytes, s.Blocks }).ToList());
        var paths = conn.Query<(long Id, string Path)>("SELECT stack_id, path FROM stack_paths WHERE stack_id IN (SELECT value FROM json_each(@ids))",
                new { ids = System.Text.Json.JsonSerializer.Serialize(live.Values.Select(b => b.Stack).Where(s => s != 0).Distinct()) })
            .ToDictionary(p => p.Id, p => p.Path);
        var byStack = live.Values.GroupBy(b => b.Stack)
            .Select(g => (Path: paths.GetValueOrDefault(g.Key, FlameWeights.NoStack), Count: (long)g.Count(), Bytes: Saturating.Sum(g.Select(b => b.Size))))
            .ToList();
        return (table, live.Count, byStack);
    }
}
