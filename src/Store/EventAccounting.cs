using System.Text;
using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// One event as it will be stored: its call, where it was made, and what the accounting rules made of it. Sites are
/// numbers in the trace: <paramref name="FreedSite"/> is the allocating site of the block the event released (-1: none).
/// </summary>
internal readonly record struct EventRow(
    long Id, long Seq, long Line, int Pid, MemoryCall Call, int Site, EventOutcome Outcome, long LiveBytes, int LiveBlocks, long StackId,
    long? Time, int FreedSite, DroppedBlock? Dropped);

/// <summary>A live block an allocation dropped by returning its pointer again (its free was missed); rare, so an object.</summary>
internal sealed record DroppedBlock(long BlockEventId, int Site, long Bytes);

/// <summary>A (file, line, function) site first seen in this trace; the store looks up or creates its id.</summary>
internal sealed record NewSite(string File, int Line, string Function);

/// <summary>
/// Everything the import computes per event, in memory and in log order: event ids, the heap ledger, site and stack
/// interning. It touches no database, so it runs on the reader thread and the writer thread only binds values.
/// Sites and the names of flow lines get trace-local numbers (0, 1, ...) in the order they are first seen; each new
/// one is announced first.
/// </summary>
internal sealed class EventAccounting
{
    readonly HeapLedger _ledger = new();
    readonly AllocationContexts _contexts = new();
    readonly PidTotals _pids = new();
    /// <summary>The all-pid timeline at import (2,048-4,096 buckets): timelines of any length answer without reading the events.</summary>
    readonly TimelineSeries _timeline = new(2048);
    readonly SiteLiveSeries _siteSeries = new();
    readonly SiteInterner _sites = new();
    readonly NameTable _names;
    readonly StackCatalog _stacks;
    readonly Action<NewSite> _onNewSite;
    long _nextEventId, _seq, _nextStack;

    public EventAccounting(long firstEventId, long firstStackId, Action<NewSite> onNewSite, Action<int, string> onNewName, Action<NewStack> onNewStack)
    {
        _nextEventId = firstEventId;
        _onNewSite = onNewSite;
        _names = new NameTable(onNewName);
        _stacks = new StackCatalog(firstStackId, onNewStack);
    }

    public long Events => _seq;
    internal SiteLiveSeries SiteSeries => _siteSeries;
    public TraceTotals Totals { get; } = new();

    public EventRow Account(long lineNumber, EventLine ev)
    {
        int site = _sites.Intern(ev.File, ev.Line, ev.Function, out bool added);
        if (added) _onNewSite(new NewSite(ev.File, ev.Line, ev.Function));
        return Account(lineNumber, ev.Pid, site, ev.Call, ev.Time);
    }

    /// <summary>An event line read from its (ASCII) bytes: a known site needs no string.</summary>
    public EventRow Account(long lineNumber, ReadOnlySpan<byte> line, in EventFields ev)
    {
        var file = line.Slice(ev.FileStart, ev.FileLength);
        var function = line.Slice(ev.FunctionStart, ev.FunctionLength);
        int site = _sites.Intern(file, ev.Line, function, out bool added);
        if (added) _onNewSite(new NewSite(Encoding.ASCII.GetString(file), ev.Line, Encoding.ASCII.GetString(function)));
        return Account(lineNumber, ev.Pid, site, ev.Call, ev.Time);
    }

    EventRow Account(long lineNumber, int pid, int site, in MemoryCall call, long? time)
    {
        long id = _nextEventId++, seq = ++_seq, stack = _nextStack != 0 ? _nextStack : _stacks.Current(pid);
        _nextStack = 0;
        bool allocates = call.Kind != CallKind.Free;
        int context = allocates ? _contexts.Of(site, stack) : 0;
        var outcome = _ledger.Apply(id, pid, call, context);
        int freedSite = _ledger.Released is { } released ? Leave(released, seq) : -1;
        var drop = _ledger.Dropped is { } dropped ? new DroppedBlock(dropped.EventId, Leave(dropped, seq), dropped.Size) : null;
        var row = new EventRow(id, seq, lineNumber, pid, call, site, outcome, _ledger.LiveBytes, _ledger.LiveBlocks, stack, time, freedSite, drop);
        if (allocates)
        {
            _contexts.Allocated(context, call.Size, seq, _ledger.MadeLive);
            if (_ledger.MadeLive) _siteSeries.Added(site, call.Size, seq);
        }
        Totals.Add(row);
        if (Totals.PeakEvent == seq) _contexts.PeakReached(seq);
        _pids.Add(row, _ledger.PidLiveBytes, _ledger.PidLiveBlocks);
        _timeline.Add(new SeriesPoint(seq, lineNumber, row.LiveBytes, row.LiveBlocks));
        return row;
    }

    /// <summary>
    /// The native stack printed with the next event (ustack(), record --native): that event's stack, in place of the
    /// Python stack of the flow lines. A frame's module is stored as its file.
    /// </summary>
    public void NextEventStack(IReadOnlyList<NativeFrame> rootFirst)
    {
        var frames = new (int File, int Function)[rootFirst.Count];
        for (int i = 0; i < frames.Length; i++) frames[i] = (_names.Intern(rootFirst[i].Module), _names.Intern(rootFirst[i].Function));
        _nextStack = _stacks.Intern(frames);
    }

    /// <summary>A block left the live set (freed, realloc'd, or dropped by a missed free); returns its allocating site.</summary>
    int Leave(in LiveBlock block, long seq)
    {
        _contexts.Released(block.Context, block.Size, seq);
        int site = _contexts.SiteOf(block.Context);
        _siteSeries.Removed(site, block.Size, seq);
        return site;
    }

    /// <summary>A flow line read from its (ASCII) bytes: names already seen need no string.</summary>
    public FlowRow Flow(long lineNumber, ReadOnlySpan<byte> line, in FlowFields flow) => Move(new FlowRow(lineNumber, flow.Pid, flow.IsCall,
        _names.Intern(line.Slice(flow.FileStart, flow.FileLength)), flow.Line, _names.Intern(line.Slice(flow.FunctionStart, flow.FunctionLength)), null));

    /// <summary>Only Python frames move the stack: a toolkit flow line may also trace syscalls or C functions.</summary>
    public FlowRow Flow(long lineNumber, FlowLine flow)
    {
        var row = new FlowRow(lineNumber, flow.Pid, flow.IsCall, _names.Intern(flow.File), flow.Line, _names.Intern(flow.Function),
            flow.Cpu is null && flow.DeltaUs is null && flow.Probe is null ? null : flow);
        return flow.IsPythonFrame ? Move(row) : row;
    }

    FlowRow Move(in FlowRow flow)
    {
        if (flow.IsCall) _stacks.Call(flow.Pid, flow.File, flow.Function);
        else _stacks.Return(flow.Pid, flow.Function);
        return flow;
    }

    /// <summary>Event ids of the (re)allocations whose blocks are still live: the leaks, in id order.</summary>
    public long[] LiveEventIds()
    {
        var ids = new long[_ledger.LiveBlocks];   // exactly sized and sorted in place: 5 M leaks cost 40 MB, not a LINQ buffer's 130
        int n = 0;
        foreach (long id in _ledger.LiveEventIds()) ids[n++] = id;
        Array.Sort(ids);
        return ids;
    }

    /// <summary>Per site (its number in the trace): the blocks still live at the end and their bytes.</summary>
    public Dictionary<int, (long Blocks, ExactSum Bytes)> LeakedBySite() => _contexts.LiveBySite();

    /// <summary>Stores what the accounting kept besides the totals: contexts, pids, timelines (after the last event).</summary>
    public void StoreKept(Microsoft.Data.Sqlite.SqliteConnection conn, long traceId, IReadOnlyList<long> siteIds)
    {
        _contexts.Store(conn, traceId, siteIds);
        _pids.Store(conn, traceId, _ledger.PerPid());
        _timeline.Store(conn, traceId, null);
        _siteSeries.Store(conn, traceId, siteIds);
    }
}
