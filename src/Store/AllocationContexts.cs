using System.Runtime.InteropServices;

namespace PyMemTrace.Store;

/// <summary>
/// Where blocks come from: each distinct (site, call stack) of a trace's (re)allocations is a context, numbered 0, 1, ...
/// Per context it keeps what was requested, what is live now and what was live at the (first) peak, so that peak,
/// leaks and flame graphs by site or stack read a small table instead of replaying every event (heaptrack's trick).
/// The peak's values are taken lazily: a context's value is copied when it first changes after a new peak, and at the
/// end for those that never changed again; a new peak costs nothing.
/// </summary>
internal sealed class AllocationContexts
{
    struct Context
    {
        public int Site;
        public long Stack;
        public long Allocs, BytesAllocated;   // bytes saturated (they only grow)
        public ExactSum LiveBytes;            // exact: it goes down too
        public long LiveBlocks, PeakBlocks, PeakBytes, ChangedAt;
    }

    readonly ChunkedArray<Context> _contexts = new();
    int _count;
    readonly List<int> _bySite = new();                    // the stackless context of each site (+1; 0: none yet)
    readonly Dictionary<(int Site, long Stack), int> _withStack = new();
    long _peakSeq;

    public int Count => _count;

    /// <summary>The site a context's blocks were (re)allocated at.</summary>
    public int SiteOf(int context) => _contexts[context].Site;

    /// <summary>The context of an allocation at <paramref name="site"/> under <paramref name="stack"/> (0: no stack).</summary>
    public int Of(int site, long stack)
    {
        if (stack == 0)
        {
            while (_bySite.Count <= site) _bySite.Add(0);
            if (_bySite[site] == 0) _bySite[site] = Add(site, 0) + 1;
            return _bySite[site] - 1;
        }
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_withStack, (site, stack), out bool exists);
        if (!exists) slot = Add(site, stack);
        return slot;
    }

    int Add(int site, long stack)
    {
        _contexts.Grow(_count + 1);
        _contexts[_count] = new Context { Site = site, Stack = stack };
        return _count++;
    }

    /// <summary>A (re)allocation of <paramref name="size"/> bytes; <paramref name="live"/> when it made a block live
    /// (realloc(NULL, n) with no address printed makes none).</summary>
    public void Allocated(int context, long size, long seq, bool live)
    {
        ref var c = ref Touch(context, seq);
        c.Allocs++;
        c.BytesAllocated = Saturating.Add(c.BytesAllocated, size);
        if (!live) return;
        c.LiveBytes += size;
        c.LiveBlocks++;
    }

    public void Released(int context, long size, long seq)
    {
        ref var c = ref Touch(context, seq);
        c.LiveBytes -= size;
        c.LiveBlocks--;
    }

    /// <summary>Live bytes of all contexts reached a new high after event <paramref name="seq"/>.</summary>
    public void PeakReached(long seq) => _peakSeq = seq;

    /// <summary>Before a context changes: if it has not changed since the last new peak, its value now is its value then.</summary>
    ref Context Touch(int context, long seq)
    {
        ref var c = ref _contexts[context];
        if (c.ChangedAt <= _peakSeq) Snapshot(ref c);
        c.ChangedAt = seq;
        return ref c;
    }

    static void Snapshot(ref Context c)
    {
        c.PeakBytes = Saturating.ToInt64(c.LiveBytes);
        c.PeakBlocks = c.LiveBlocks;
    }

    /// <summary>Per site (its number in the trace): the blocks still live and their bytes, exact.</summary>
    public Dictionary<int, (long Blocks, ExactSum Bytes)> LiveBySite()
    {
        var bySite = new Dictionary<int, (long Blocks, ExactSum Bytes)>();
        for (int i = 0; i < _count; i++)
        {
            ref var c = ref _contexts[i];
            if (c.LiveBlocks == 0) continue;
            bySite.TryGetValue(c.Site, out var sum);
            bySite[c.Site] = (sum.Blocks + c.LiveBlocks, sum.Bytes + c.LiveBytes);
        }
        return bySite;
    }

    /// <summary>Writes context_totals: every context with allocations; the leaks are what is live at the end.</summary>
    public void Store(Microsoft.Data.Sqlite.SqliteConnection conn, long traceId, IReadOnlyList<long> siteIds)
    {
        using var insert = new IntegerRowsInsert(conn, "context_totals", "trace_id", "site_id", "stack_id", "allocs", "bytes_allocated",
            "peak_bytes", "peak_blocks", "leaked_bytes", "leaked_blocks");
        foreach (int context in InIndexOrder(siteIds))
        {
            ref var c = ref _contexts[context];
            long site = siteIds[c.Site], stack = c.Stack;
            if (c.ChangedAt <= _peakSeq) Snapshot(ref c);
            insert.Add(traceId, site, stack == 0 ? null : stack, c.Allocs, c.BytesAllocated, c.PeakBytes, c.PeakBlocks,
                Saturating.ToInt64(c.LiveBytes), c.LiveBlocks);
        }
        insert.Complete();
    }

    /// <summary>
    /// The contexts in the order of context_totals_by_trace: by site id (each row then appends to the index instead
    /// of searching it), then by stack, keyed site id * (largest stack + 1) + stack; by site id alone, in the order the
    /// contexts came, should that key not fit 63 bits.
    /// </summary>
    int[] InIndexOrder(IReadOnlyList<long> siteIds)
    {
        var order = new int[_count];
        var keys = new long[_count];
        long maxSite = 0, maxStack = 0;
        for (int i = 0; i < _count; i++)
        {
            order[i] = i;
            keys[i] = siteIds[_contexts[i].Site];
            maxSite = Math.Max(maxSite, keys[i]);
            maxStack = Math.Max(maxStack, _contexts[i].Stack);
        }
        if (maxStack < long.MaxValue && (maxSite == 0 || maxStack + 1 <= (long.MaxValue - maxStack) / maxSite))
            for (int i = 0; i < _count; i++) keys[i] = keys[i] * (maxStack + 1) + _contexts[i].Stack;
        KeySort.Ascending(keys, order);
        return order;
    }
}
