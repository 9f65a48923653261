using System.Runtime.InteropServices;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// Each pid's totals, peak and timeline, added up during the import (a trace of several processes is never summed
/// silently: reports show them per pid without reading the events). The first <see cref="PidsWithTimeline"/> pids keep
/// a stored timeline; reports replay the events for any others.
/// </summary>
internal sealed class PidTotals
{
    public const int PidsWithTimeline = 256, BucketsPerPid = 512;

    sealed class Pid
    {
        public long Events, Allocs, Reallocs, Frees, BytesAllocated, BytesFreed, PeakBytes, PeakBlocks, PeakEvent, PeakLine;
        public TimelineSeries? Timeline;
    }

    readonly Dictionary<int, Pid> _pids = new();
    int _lastPid;
    Pid? _last;

    /// <summary>One event of <paramref name="pid"/>, with the pid's live bytes and blocks after it.</summary>
    public void Add(in EventRow e, long pidLiveBytes, long pidLiveBlocks)
    {
        if (_last is null || e.Pid != _lastPid)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_pids, e.Pid, out _);
            slot ??= new Pid { Timeline = _pids.Count <= PidsWithTimeline ? new TimelineSeries(BucketsPerPid) : null };
            (_last, _lastPid) = (slot, e.Pid);
        }
        var p = _last;
        p.Events++;
        var call = e.Call;
        if (call.Kind == CallKind.Free)
        {
            if (e.Outcome.Status == "freed") p.Frees++;
        }
        else
        {
            if (call.Kind == CallKind.Realloc) p.Reallocs++;
            else p.Allocs++;
            p.BytesAllocated = Saturating.Add(p.BytesAllocated, call.Size);
        }
        p.BytesFreed = Saturating.Add(p.BytesFreed, e.Outcome.FreedBytes);
        if (pidLiveBytes > p.PeakBytes) (p.PeakBytes, p.PeakEvent, p.PeakLine) = (pidLiveBytes, e.Seq, e.Line);
        p.PeakBlocks = Math.Max(p.PeakBlocks, pidLiveBlocks);
        p.Timeline?.Add(new SeriesPoint(e.Seq, e.Line, pidLiveBytes, pidLiveBlocks));
    }

    /// <summary>Writes pid_totals (leaks: each pid's blocks still live) and the stored timelines.</summary>
    public void Store(Microsoft.Data.Sqlite.SqliteConnection conn, long traceId, IEnumerable<(int Pid, long Bytes, int Blocks)> leaks)
    {
        var leaked = leaks.ToDictionary(l => l.Pid);
        using (var insert = PreparedInsert.Into(conn, "pid_totals", "trace_id", "pid", "events", "allocs", "reallocs", "frees",
                   "bytes_allocated", "bytes_freed", "leaked_bytes", "leaked_blocks", "peak_bytes", "peak_blocks", "peak_event", "peak_line"))
            foreach (var (pid, p) in _pids)
            {
                var l = leaked.GetValueOrDefault(pid);
                insert.Bind(1, traceId).Bind(2, pid).Bind(3, p.Events).Bind(4, p.Allocs).Bind(5, p.Reallocs).Bind(6, p.Frees)
                    .Bind(7, p.BytesAllocated).Bind(8, p.BytesFreed).Bind(9, l.Bytes).Bind(10, l.Blocks).Bind(11, p.PeakBytes)
                    .Bind(12, p.PeakBlocks).Bind(13, p.PeakEvent == 0 ? null : p.PeakEvent).Bind(14, p.PeakEvent == 0 ? null : p.PeakLine).Run();
            }
        foreach (var (pid, p) in _pids) p.Timeline?.Store(conn, traceId, pid);
    }
}
