using System.Runtime.InteropServices;

namespace PyMemTrace.Store;

/// <summary>
/// Each site's live bytes over the trace, kept at import on a grid of equal buckets of events (a power of two wide,
/// at most <see cref="MaxBuckets"/> of them): the values at the end of every bucket in which the site changed (live
/// bytes, live blocks, the most bytes so far), so a site's values at any bucket end are its latest entry up to there.
/// The growth ranking and the per-site timeline read it instead of replaying the events, and a window's replay starts
/// from it. Entries are one list in time order (28 bytes each); when the buckets fill, the width doubles and entries of
/// the same site in the same (new) bucket merge, keeping the later values. A site's bytes add up as the block reports
/// do: saturating, never below 0.
/// </summary>
internal sealed class SiteLiveSeries
{
    public const int MaxBuckets = 4096;
    const int BucketBits = 12;   // 2^12 = MaxBuckets
    /// <summary>More entries than this beyond two a site (many sites changing in every bucket) doubles the width again:
    /// memory stays bounded, and grows with the sites as their other tables do. A bound of this many in all could not
    /// hold in a trace of more sites (each needs one entry at any width) and, once passed, bounded nothing; a bound of
    /// one a site plus this took such traces to one bucket (865 k sites: two changes each, on average).</summary>
    const int MaxEntries = 1 << 16;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    struct Entry
    {
        public int Site, Bucket;
        public long Bytes, Max;
        public int Blocks;
    }

    struct Site
    {
        public long Live, Max;
        public int Blocks;
        public int LastEntry;   // + 1; 0: none yet
    }

    readonly ChunkedArray<Entry> _entries = new();   // one entry per site at least: as many as the sites, past MaxEntries
    int _count;
    int _sitesWithEntries;   // a site keeps at least one entry from its first on: coarsening merges, never removes
    readonly ChunkedArray<Site> _sites = new();
    int _shift;   // the width is 1 << _shift: a bucket is a shift, not a division, per event

    public long Width => 1L << _shift;

    public void Added(int site, long size, long seq) => Set(site, seq, Saturating.Add(Of(site).Live, size), +1);

    public void Removed(int site, long size, long seq) => Set(site, seq, Math.Max(0, Of(site).Live - size), -1);

    ref Site Of(int site)
    {
        _sites.Grow(site + 1);
        return ref _sites[site];
    }

    void Set(int site, long seq, long bytes, int blocks)
    {
        ref var s = ref Of(site);
        s.Live = bytes;
        s.Blocks += blocks;
        if (bytes > s.Max) s.Max = bytes;
        while ((seq - 1) >> _shift >= MaxBuckets) Coarsen();
        int bucket = (int)((seq - 1) >> _shift);
        if (s.LastEntry > 0 && _entries[s.LastEntry - 1].Bucket == bucket)
        {
            Update(ref _entries[s.LastEntry - 1], in s);
            return;
        }
        // a site's first entry raises the bound with it: only a further one may call for a coarser grid
        if (s.LastEntry > 0 && _count >= MaxEntries + 2L * _sitesWithEntries) Coarsen();
        bucket = (int)((seq - 1) >> _shift);
        if (s.LastEntry > 0 && _entries[s.LastEntry - 1].Bucket == bucket)   // merged by the coarsening
        {
            Update(ref _entries[s.LastEntry - 1], in s);
            return;
        }
        if (s.LastEntry == 0) _sitesWithEntries++;
        _entries.Grow(_count + 1);
        _entries[_count] = new Entry { Site = site, Bucket = bucket };
        Update(ref _entries[_count++], in s);
        s.LastEntry = _count;
    }

    static void Update(ref Entry e, in Site s)
    {
        e.Bytes = s.Live;
        e.Blocks = s.Blocks;
        e.Max = s.Max;
    }

    /// <summary>Doubles the width: buckets 2k and 2k + 1 become k; a site's entries within one keep the later value.</summary>
    void Coarsen()
    {
        _shift++;
        for (int i = 0; i < _sites.Capacity; i++) _sites[i].LastEntry = 0;
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            var e = _entries[i];
            e.Bucket /= 2;
            ref var s = ref _sites[e.Site];
            if (s.LastEntry > 0 && _entries[s.LastEntry - 1].Bucket == e.Bucket)
            {
                ref var earlier = ref _entries[s.LastEntry - 1];
                (earlier.Bytes, earlier.Blocks, earlier.Max) = (e.Bytes, e.Blocks, e.Max);
            }
            else
            {
                _entries[kept++] = e;
                s.LastEntry = kept;
            }
        }
        _count = kept;
    }

    /// <summary>The most bytes of the site live at any moment.</summary>
    public long MaxOf(int site) => site < _sites.Capacity ? _sites[site].Max : 0;

    /// <summary>Writes site_timeline (the entries; site_totals and trace_totals take the maxima and the width).</summary>
    public void Store(Microsoft.Data.Sqlite.SqliteConnection conn, long traceId, IReadOnlyList<long> siteIds)
    {
        // in key order (site, bucket): the rows append to the table's b-tree instead of landing all over it. One long
        // key per entry (a site has one entry per bucket, and a bucket fits 12 bits), sorted by KeySort: a LINQ sort
        // of tuples took ~90 ms of the import's end for 37 k entries.
        var keys = new long[_count];
        var order = new int[_count];
        for (int i = 0; i < _count; i++)
        {
            keys[i] = siteIds[_entries[i].Site] << BucketBits | (long)_entries[i].Bucket;
            order[i] = i;
        }
        KeySort.Ascending(keys, order);
        using var insert = new IntegerRowsInsert(conn, "site_timeline", "trace_id", "site_id", "bucket", "live_bytes", "live_blocks", "max_bytes");
        foreach (int i in order)
        {
            ref readonly var e = ref _entries[i];
            insert.Add(traceId, siteIds[e.Site], e.Bucket, e.Bytes, e.Blocks, e.Max);
        }
        insert.Complete();
    }
}
