using Dapper;
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
        public long Allocs, Reallocs, BytesAllocated, Frees, BytesFreed;
    }

    Site[] _sites = new Site[64];
    readonly Dictionary<int, long?> _allocatedByLastEvent = new(); // per pid: the pointer its previous event (re)allocated
    long _peakEvent, _peakLine, _temporary;
    long _allocs, _reallocs, _frees, _nullFrees, _unknownFrees, _missedFrees, _bytesAllocated, _bytesFreed, _peakBytes, _peakBlocks, _maxAlloc;

    public void Add(in EventRow e)
    {
        var call = e.Call;
        bool isFree = call.Kind == CallKind.Free;
        if (e.Site >= _sites.Length) Array.Resize(ref _sites, Math.Max(_sites.Length * 2, e.Site + 1));
        ref var site = ref _sites[e.Site];
        _missedFrees += e.Outcome.Replaced ? 1 : 0;
        _bytesFreed += e.Outcome.FreedBytes;
        if (e.LiveBytes > _peakBytes) (_peakEvent, _peakLine) = (e.Seq, e.Line);
        _peakBytes = Math.Max(_peakBytes, e.LiveBytes);
        // heaptrack's temporary allocation: a block freed by the very next memory event of the same pid
        if (isFree && e.Outcome.Status == "freed" && _allocatedByLastEvent.GetValueOrDefault(e.Pid) == call.Pointer) _temporary++;
        _allocatedByLastEvent[e.Pid] = isFree ? null : call.Pointer;
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
            _maxAlloc = Math.Max(_maxAlloc, call.Size);
            site.BytesAllocated += call.Size;
            if (call.Kind == CallKind.Realloc) { _reallocs++; site.Reallocs++; }
            else { _allocs++; site.Allocs++; }
        }
        site.Counted = true;
        site.BytesFreed += e.Outcome.FreedBytes;
    }

    /// <summary>Writes both tables; the leaks are read back from the events already marked leaked.</summary>
    public void Store(SqliteConnection conn, SqliteTransaction tx, long traceId, IReadOnlyList<long> siteIds)
    {
        var leaks = conn.Query<(long SiteId, long Blocks, long Bytes)>(
            "SELECT site_id, count(*), coalesce(sum(size), 0) FROM events WHERE trace_id = @traceId AND leaked = 1 GROUP BY site_id",
            new { traceId }, tx).ToDictionary(l => l.SiteId);
        conn.Execute(
            """
            INSERT INTO trace_totals VALUES (@traceId, @_allocs, @_reallocs, @_frees, @_nullFrees, @_unknownFrees, @_missedFrees,
                @_bytesAllocated, @_bytesFreed, @outstanding, @leaked, @_peakBytes, @_peakBlocks, @_maxAlloc, @peakEvent, @peakLine, @_temporary)
            """,
            new { traceId, _allocs, _reallocs, _frees, _nullFrees, _unknownFrees, _missedFrees, _bytesAllocated, _bytesFreed,
                  outstanding = leaks.Values.Sum(l => l.Bytes), leaked = leaks.Values.Sum(l => l.Blocks), _peakBytes, _peakBlocks, _maxAlloc,
                  peakEvent = _peakEvent == 0 ? (long?)null : _peakEvent, peakLine = _peakEvent == 0 ? (long?)null : _peakLine, _temporary },
            tx);
        using var insert = PreparedInsert.Into(conn, "site_totals",
            "trace_id", "site_id", "allocs", "reallocs", "bytes_allocated", "frees", "bytes_freed", "bytes_outstanding");
        for (int i = 0; i < siteIds.Count && i < _sites.Length; i++)
        {
            var s = _sites[i];
            if (!s.Counted) continue;
            long siteId = siteIds[i];
            insert.Bind(1, traceId).Bind(2, siteId).Bind(3, s.Allocs).Bind(4, s.Reallocs).Bind(5, s.BytesAllocated).Bind(6, s.Frees)
                .Bind(7, s.BytesFreed).Bind(8, leaks.TryGetValue(siteId, out var l) ? l.Bytes : 0).Run();
        }
    }
}
