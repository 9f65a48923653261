using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>Sees each site's live bytes change during a <see cref="SiteWindowReplay"/>.</summary>
internal interface ISiteObserver
{
    void Added(long site, long size);
    void Removed(long site, long size);
    /// <summary>After all changes of event <paramref name="seq"/>.</summary>
    void After(long seq);
}

/// <summary>
/// Every site's live bytes up to the end of a window without replaying from the first event, nor keeping blocks: the
/// replay starts from the values the import kept at the last bucket end before the window (site_timeline), then reads
/// only the events from there on. Each event names the site of the block it released (events.freed_site_id) and the
/// block a missed free dropped (dropped_blocks), so a site's bytes follow from the events alone. For all pids and
/// every stack: the kept values are per site, not per pid or stack. The same values as a <see cref="BlockReplay"/>.
/// </summary>
internal static class SiteWindowReplay
{
    /// <summary>
    /// Replays the trace's sites up to event <paramref name="toSeq"/>, starting at or before <paramref name="fromSeq"/>.
    /// More than <paramref name="splitAbove"/> events are read in two halves at once on two connections: the second
    /// half into a watcher of changes only, joined after (or replayed again on <paramref name="watch"/> where it cannot be).
    /// </summary>
    public static void Run(SqliteConnection conn, long traceId, long fromSeq, long toSeq, SiteWatcher watch, Func<SiteWatcher> newChanges,
        long splitAbove = WindowReplay.SplitAbove)
    {
        var (firstId, width) = Trace(conn, traceId);
        long seqBase = firstId - 1;
        long start = (fromSeq - 1) / width * width;   // the last bucket end at or before the window's first event
        foreach (var (site, live, blocks, max) in KeptAt(conn, traceId, start / width)) watch.Started(site, live, blocks, max);
        watch.After(start);
        if (toSeq <= start) return;
        if (toSeq - start > splitAbove && WindowReplay.SecondConnection(conn) is { } other)
        {
            long middle = start + (toSeq - start) / 2;
            var later = newChanges();
            using (other)
            {
                var reading = Task.Run(() => Replay(other, seqBase, middle + 1, toSeq, later));
                try
                {
                    Replay(conn, seqBase, start + 1, middle, watch);
                }
                catch
                {
                    reading.ContinueWith(_ => { }).Wait();   // the other half's connection is not closed under it
                    throw;
                }
                reading.GetAwaiter().GetResult();
            }
            if (!watch.Join(later)) Replay(conn, seqBase, middle + 1, toSeq, watch);
            return;
        }
        Replay(conn, seqBase, start + 1, toSeq, watch);
    }

    /// <summary>Replays events <paramref name="fromSeq"/>..<paramref name="toSeq"/> into <paramref name="observer"/>.</summary>
    static void Replay(SqliteConnection conn, long seqBase, long fromSeq, long toSeq, ISiteObserver observer)
    {
        using var drops = new RowScan.Cursor(conn, "SELECT event_id, site_id, bytes FROM dropped_blocks WHERE event_id BETWEEN ?1 AND ?2 ORDER BY event_id",
            seqBase + fromSeq, seqBase + toSeq);
        var drop = drops.Current;
        long nextDrop = NextDrop(drops);
        // Only the columns needed, the verdicts made in C#: SQLite's cost grows with each. A NULL reads as 0 (no site id
        // is 0); a free is the event without a size; the dropped blocks are found by their event ids, not `replaced`.
        const string sql = "SELECT id, size, site_id, freed_site_id, freed_bytes, ptr FROM events WHERE id BETWEEN ?1 AND ?2 ORDER BY id";
        using var oldPointer = new RowScan.Cursor(conn, "SELECT old_ptr FROM events WHERE id = ?1", 0, null);
        RowScan.Each(conn, sql, seqBase + fromSeq, seqBase + toSeq, r =>
        {
            long id = r[0], freedSite = r[3];
            if (freedSite != 0) observer.Removed(freedSite, r[4]);
            if (id == nextDrop)
            {
                observer.Removed(drop[1], drop[2]);
                nextDrop = NextDrop(drops);
            }
            if (!r.IsNull(1) && (r[5] != 0 || !ReallocOfNothing(oldPointer, id))) observer.Added(r[2], r[1]);
            observer.After(id - seqBase);
        });
    }

    /// <summary>
    /// Whether the event at pointer 0 was realloc(NULL, n) returning no address, which made no block live (see
    /// HeapLedger). Looked up by id: a returned pointer of 0 is rare.
    /// </summary>
    static bool ReallocOfNothing(RowScan.Cursor oldPointer, long id) =>
        oldPointer.Rerun(id) && oldPointer.Current[0] == 0 && !oldPointer.Current.IsNull(0);

    /// <summary>The next dropped block's event id; long.MaxValue after the last.</summary>
    static long NextDrop(RowScan.Cursor drops) => drops.Next() ? drops.Current[0] : long.MaxValue;

    static (long FirstId, long Width) Trace(SqliteConnection conn, long traceId)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT t.first_event_id, coalesce(tt.site_bucket_width, 1)
            FROM traces t LEFT JOIN trace_totals tt ON tt.trace_id = t.id WHERE t.id = $trace
            """;
        cmd.Parameters.AddWithValue("$trace", traceId);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), Math.Max(1, reader.GetInt64(1))) : (1, 1);
    }

    /// <summary>Each site's kept values at the end of the buckets before <paramref name="bucket"/> (its latest entry there).</summary>
    static IEnumerable<(long Site, long Live, long Blocks, long Max)> KeptAt(SqliteConnection conn, long traceId, long bucket)
    {
        var latest = new Dictionary<long, (long, long, long)>();
        RowScan.Each(conn, "SELECT site_id, live_bytes, live_blocks, max_bytes FROM site_timeline WHERE trace_id = ?1 AND bucket < ?2 ORDER BY site_id, bucket",
            traceId, bucket, r => latest[r[0]] = (r[1], r[2], r[3]));   // a site's later buckets overwrite its earlier ones
        return latest.Select(kv => (kv.Key, kv.Value.Item1, kv.Value.Item2, kv.Value.Item3));
    }
}
