using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Live bytes per allocating site over the trace: the biggest sites' timeline (heaptrack's "consumed" view) and the
/// growth ranking of leak suspects, from the values kept at import, a replay of a window's sites from them
/// (<see cref="SiteWindowReplay"/>), or, for one pid or without some stacks, one <see cref="BlockReplay"/>. The filter's
/// pid and exclusions apply; blocks count from their allocation to their release, whatever the window.
/// </summary>
public static class SiteSeries
{
    /// <summary>The growth measure cuts the run (or the window) into this many equal slices.</summary>
    public const int Slices = 20;
    public const int DefaultPoints = 1000, DefaultSites = 10;

    /// <summary>
    /// Rows: event, log_line, file, line, function, live_bytes: after each kept event (the all-pid timeline downsampled to
    /// <paramref name="points"/>, so the last event is always there), the live bytes of each of the <paramref name="top"/>
    /// sites with the highest live bytes at any moment. A site's last point is its leaked bytes.
    /// </summary>
    public static ReportTable Timeline(SqliteConnection conn, ResolvedFilter f, int top, int? points)
    {
        var kept = TimelineReport.Total(conn, f.TraceId, points ?? DefaultPoints);
        int seconds = kept.IndexOf("seconds");   // a timed trace's: its seconds come along
        var events = kept.Rows.Select(r => (Event: (long)r[0]!, Line: (long)r[1]!, Seconds: seconds < 0 ? null : r[seconds])).ToList();
        List<long> biggest;
        Func<long, int, long> valueAt;
        if (KeptAtImport.Serves(f))
        {
            var stored = new KeptAtImport(conn, f);
            biggest = stored.Biggest(top);
            stored.Load(biggest);
            valueAt = (site, i) => stored.ValueAt(site, events[i].Event);
        }
        else
        {
            var watch = new SiteWatcher(f, events.Select(e => e.Event).ToList());
            BlockReplay.LiveAfter(conn, f.TraceId, null, watch);
            biggest = watch.Sites.OrderByDescending(kv => kv.Value.Max).ThenBy(kv => kv.Key).Take(top).Select(kv => kv.Key).ToList();
            valueAt = watch.ValueAt;
        }
        var sites = BlockReports.Sites(conn, biggest);
        var rows = new List<object?[]>();
        for (int i = 0; i < events.Count; i++)
            foreach (var site in biggest)
            {
                var s = sites[site];
                object?[] row = [events[i].Event, events[i].Line, s.File, s.Line, s.Function, valueAt(site, i)];
                rows.Add(seconds < 0 ? row : [.. row, events[i].Seconds]);
            }
        ReportColumn[] columns = [Int("event"), Int("log_line"), Text("file"), Int("line"), Text("function"), Int("live_bytes")];
        return new ReportTable("Live bytes by site", seconds < 0 ? columns : [.. columns, new ReportColumn("seconds", ColumnType.Real)], rows);
    }

    /// <summary>
    /// Leak suspects: the sites with live bytes at the window's end, ranked by how steadily their live bytes grew.
    /// The window (default: the whole trace) is cut into <see cref="Slices"/> equal runs of events; grew counts the runs
    /// after which the site's live bytes were higher than before them. A leak grows in most runs; a cache grows in a
    /// few, then stays. Rows: file, line, function, grew, slices, bytes (live at the end), blocks, max_bytes.
    /// </summary>
    public static ReportTable Growth(SqliteConnection conn, ResolvedFilter f, int? top, long splitAbove = WindowReplay.SplitAbove)
    {
        long span = f.To - f.From + 1;
        int slices = (int)Math.Min(Slices, span);
        var ends = Enumerable.Range(0, slices + 1).Select(j => slices == 0 ? 0 : f.From - 1 + (j * span + slices - 1) / slices).ToList();   // no events: no slices
        List<(long Site, long Live, long Blocks, long Max)> suspects;
        Func<long, int, long> valueAt;
        if (KeptAtImport.Serves(f) && f.From == 1 && f.To == f.Events)
        {
            var stored = new KeptAtImport(conn, f);
            suspects = stored.Suspects();
            stored.Load(suspects.Select(s => s.Site));
            valueAt = (site, j) => stored.ValueAt(site, ends[j]);
        }
        else
        {
            var watch = new SiteWatcher(f, ends);
            if (KeptAtImport.Serves(f))   // from the kept values before the window
                SiteWindowReplay.Run(conn, f.TraceId, f.From, f.To, watch, () => SiteWatcher.Changes(f, ends), splitAbove);
            else BlockReplay.LiveAfter(conn, f.TraceId, f.To, watch);
            suspects = watch.Sites.Where(kv => kv.Value.Live > 0).Select(kv => (kv.Key, kv.Value.Live, kv.Value.Blocks, kv.Value.Max)).ToList();
            valueAt = watch.ValueAt;
        }
        var sites = BlockReports.Sites(conn, suspects.Select(s => s.Site));
        var rows = suspects.Select(suspect =>
            {
                int grew = Enumerable.Range(1, slices).Count(j => valueAt(suspect.Site, j) > valueAt(suspect.Site, j - 1));
                var s = sites[suspect.Site];
                return new object?[] { s.File, s.Line, s.Function, (long)grew, (long)slices, suspect.Live, suspect.Blocks, suspect.Max };
            })
            .OrderByDescending(r => (long)r[3]!).ThenByDescending(r => (long)r[5]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal)
            .ThenBy(r => (long)r[1]!).ThenBy(r => (string)r[2]!, StringComparer.Ordinal);
        return new ReportTable("Growth of leak suspects",
            [Text("file"), Int("line"), Text("function"), Int("grew"), Int("slices"), Int("bytes"), Int("blocks"), Int("max_bytes")],
            (top is > 0 ? rows.Take(top.Value) : rows).ToList());
    }

    /// <summary>
    /// Each site's live bytes as the import kept them (site_timeline, site_totals): values at the end of buckets of
    /// trace_totals.site_bucket_width events, so a value asked for after an event inside a bucket is the one at the
    /// end of the bucket before (exact while the width is 1: traces up to 4,096 events). For all pids and no
    /// stack exclusions (a site excluded is left out whole).
    /// </summary>
    sealed class KeptAtImport(SqliteConnection conn, ResolvedFilter f)
    {
        readonly long _width = conn.ExecuteScalar<long?>("SELECT site_bucket_width FROM trace_totals WHERE trace_id = @t", new { t = f.TraceId }) ?? 1;
        readonly Dictionary<long, (long[] Buckets, long[] Bytes)> _series = new();

        public static bool Serves(ResolvedFilter f) => f.Pid is null && f.ExcludedStacks.Count == 0;

        /// <summary>The <paramref name="top"/> sites with the most live bytes at any moment.</summary>
        public List<long> Biggest(int top) => conn.Query<long>(
                "SELECT site_id FROM site_totals WHERE trace_id = @t AND max_live_bytes > 0 ORDER BY max_live_bytes DESC, site_id", new { t = f.TraceId })
            .Where(site => !f.ExcludedSites.Contains(site)).Take(top).ToList();

        /// <summary>The sites with live bytes at the end: bytes, blocks and the most they ever held.</summary>
        public List<(long Site, long Live, long Blocks, long Max)> Suspects() => conn.Query<(long, long, long, long)>(
                """
                SELECT st.site_id, st.bytes_outstanding, (SELECT sum(leaked_blocks) FROM context_totals c WHERE c.trace_id = st.trace_id AND c.site_id = st.site_id),
                       st.max_live_bytes
                FROM site_totals st WHERE st.trace_id = @t AND st.bytes_outstanding > 0
                """, new { t = f.TraceId })
            .Where(s => !f.ExcludedSites.Contains(s.Item1)).ToList();

        public void Load(IEnumerable<long> sites)
        {
            foreach (long site in sites)
            {
                var rows = conn.Query<(long Bucket, long Bytes)>("SELECT bucket, live_bytes FROM site_timeline WHERE trace_id = @t AND site_id = @site ORDER BY bucket",
                    new { t = f.TraceId, site }).ToList();
                _series[site] = (rows.Select(r => r.Bucket).ToArray(), rows.Select(r => r.Bytes).ToArray());
            }
        }

        /// <summary>The site's live bytes after event <paramref name="e"/> (the trace's last: its value at the end).</summary>
        public long ValueAt(long site, long e)
        {
            var (buckets, bytes) = _series[site];
            if (buckets.Length == 0) return 0;
            if (e >= f.Events) return bytes[^1];
            int i = Array.BinarySearch(buckets, e / _width - 1);   // the last bucket that ends at or before event e
            i = i >= 0 ? i : ~i - 1;   // else the last entry before it
            return i >= 0 ? bytes[i] : 0;
        }
    }
}
