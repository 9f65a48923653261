using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// The summary and per-site totals of one trace, added up event by event during the import (on the reader thread),
/// with the same rules as the views trace_summary and function_totals, and stored once at the end.
/// </summary>
internal sealed class TraceTotals
{
    struct Site
    {
        public bool Counted;
        public long Allocs, Reallocs, Frees, Mallocs, TemporaryAllocs;
        // sums that only grow: saturated as they are added (a 128-bit sum per site was a third of a site's memory)
        public long BytesAllocated, BytesFreed, MallocBytes, TemporaryBytes; // malloc alone: what the toolkit's aggregations add up (reconcile)
    }

    /// <summary>What a pid's previous event allocated: a free of it by the very next event makes it temporary.</summary>
    readonly record struct Allocation(long Pointer, int Site, long Size);

    readonly ChunkedArray<Site> _sites = new();
    // requested sizes by power-of-two bucket: index 0 for size 0, else 64 - leading zeros (bucket 2^(index - 1))
    readonly long[] _sizeCounts = new long[65];
    readonly ExactSum[] _sizeBytes = new ExactSum[65]; // byte sums are exact here and saturated when stored (Saturating)
    readonly Dictionary<int, Allocation?> _allocatedByLastEvent = new(); // per pid: what its previous event (re)allocated
    long _peakEvent, _peakLine, _temporary;
    long _allocs, _reallocs, _frees, _nullFrees, _unknownFrees, _missedFrees, _peakBytes, _peakBlocks, _maxAlloc;
    ExactSum _bytesAllocated, _bytesFreed;

    /// <summary>The first event after which live bytes (all pids) stood at their highest so far (0: none yet).</summary>
    public long PeakEvent => _peakEvent;

    public void Add(in EventRow e)
    {
        var call = e.Call;
        bool isFree = call.Kind == CallKind.Free;
        _sites.Grow(e.Site + 1);
        ref var site = ref _sites[e.Site];
        _missedFrees += e.Outcome.Replaced ? 1 : 0;
        _bytesFreed += e.Outcome.FreedBytes;
        if (e.LiveBytes > _peakBytes) (_peakEvent, _peakLine) = (e.Seq, e.Line);
        _peakBytes = Math.Max(_peakBytes, e.LiveBytes);
        // heaptrack's temporary allocation: a block freed by the very next memory event of the same pid
        ref var allocatedByLast = ref CollectionsMarshal.GetValueRefOrAddDefault(_allocatedByLastEvent, e.Pid, out _);
        if (isFree && e.Outcome.Status == "freed" && allocatedByLast is { } previous && previous.Pointer == call.Pointer)
        {
            _temporary++;
            ref var allocating = ref _sites[previous.Site];
            allocating.TemporaryAllocs++;
            allocating.TemporaryBytes = Saturating.Add(allocating.TemporaryBytes, previous.Size);
        }
        allocatedByLast = isFree ? null : new Allocation(call.Pointer, e.Site, call.Size);
        _peakBlocks = Math.Max(_peakBlocks, e.LiveBlocks);
        if (isFree)
        {
            switch (e.Outcome.Status)
            {
                case "freed": _frees++; break;
                case "null": _nullFrees++; return;
                default: _unknownFrees++; return;
            }
            site.Frees++;
        }
        else
        {
            _bytesAllocated += call.Size;
            int bucket = 64 - BitOperations.LeadingZeroCount((ulong)call.Size);
            _sizeCounts[bucket]++;
            _sizeBytes[bucket] += call.Size;
            _maxAlloc = Math.Max(_maxAlloc, call.Size);
            site.BytesAllocated = Saturating.Add(site.BytesAllocated, call.Size);
            if (call.Kind == CallKind.Realloc) { _reallocs++; site.Reallocs++; }
            else { _allocs++; site.Allocs++; }
            if (call.Kind == CallKind.Malloc) { site.Mallocs++; site.MallocBytes = Saturating.Add(site.MallocBytes, call.Size); }
        }
        site.Counted = true;
        site.BytesFreed = Saturating.Add(site.BytesFreed, e.Outcome.FreedBytes);
    }

    /// <summary>
    /// Writes trace_totals, size_totals and site_totals; the leaks per site (by the trace's site numbers) come from the
    /// allocation contexts, which hold what is still live (reading the events marked leaked back took 15 s for 5 M).
    /// </summary>
    public void Store(SqliteConnection conn, long traceId, IReadOnlyList<long> siteIds, SiteLiveSeries siteSeries,
        IReadOnlyDictionary<int, (long Blocks, ExactSum Bytes)> leaks)
    {
        ExactSum outstanding = 0;
        foreach (var l in leaks.Values) outstanding += l.Bytes;
        using (var totals = PreparedInsert.Into(conn, "trace_totals",
                   "trace_id", "allocs", "reallocs", "frees", "null_frees", "unknown_frees", "missed_frees", "bytes_allocated",
                   "bytes_freed", "bytes_outstanding", "leaked_blocks", "peak_bytes", "peak_blocks", "max_alloc", "peak_event",
                   "peak_line", "temporary_allocs", "site_bucket_width"))
            totals.Bind(1, traceId).Bind(2, _allocs).Bind(3, _reallocs).Bind(4, _frees).Bind(5, _nullFrees).Bind(6, _unknownFrees)
                .Bind(7, _missedFrees).Bind(8, Saturating.ToInt64(_bytesAllocated)).Bind(9, Saturating.ToInt64(_bytesFreed)).Bind(10, Saturating.ToInt64(outstanding))
                .Bind(11, leaks.Values.Sum(l => l.Blocks)).Bind(12, _peakBytes).Bind(13, _peakBlocks).Bind(14, _maxAlloc)
                .Bind(15, _peakEvent == 0 ? null : _peakEvent).Bind(16, _peakEvent == 0 ? null : _peakLine).Bind(17, _temporary).Bind(18, siteSeries.Width).Run();
        using (var sizes = PreparedInsert.Into(conn, "size_totals", "trace_id", "bucket", "count", "bytes"))
            for (int i = 0; i < _sizeCounts.Length; i++)
                if (_sizeCounts[i] > 0) sizes.Bind(1, traceId).Bind(2, i == 0 ? 0 : 1L << (i - 1)).Bind(3, _sizeCounts[i]).Bind(4, Saturating.ToInt64(_sizeBytes[i])).Run();
        using var insert = new IntegerRowsInsert(conn, "site_totals",
            "trace_id", "site_id", "allocs", "reallocs", "bytes_allocated", "frees", "bytes_freed", "bytes_outstanding", "mallocs", "malloc_bytes",
            "temporary_allocs", "temporary_bytes", "max_live_bytes");
        for (int i = 0; i < siteIds.Count && i < _sites.Capacity; i++)
        {
            var s = _sites[i];
            if (!s.Counted) continue;
            insert.Add(traceId, siteIds[i], s.Allocs, s.Reallocs, s.BytesAllocated, s.Frees, s.BytesFreed,
                leaks.TryGetValue(i, out var l) ? Saturating.ToInt64(l.Bytes) : 0, s.Mallocs, s.MallocBytes, s.TemporaryAllocs, s.TemporaryBytes,
                siteSeries.MaxOf(i));
        }
        insert.Complete();
    }
}
