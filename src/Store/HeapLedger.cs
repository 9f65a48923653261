using System.Runtime.InteropServices;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>What the accounting rules made of one event.</summary>
public readonly record struct EventOutcome(string? Status, long FreedBytes, bool Replaced, long? ChainId);

/// <summary>
/// The accounting contract: tracks live blocks per (pid, pointer) through every event, in log order.
/// malloc/calloc make a block live (a pointer still live means its free was missed: that block is dropped);
/// realloc releases a live old block and makes the new one live at the realloc's site; free releases a live block.
/// Realloc chains follow a block through successive reallocs.
/// </summary>
public sealed class HeapLedger
{
    /// <summary>One pid's live blocks and bytes.</summary>
    sealed class PidLedger(long baseEventId)
    {
        public readonly LiveBlockShards Blocks = new(baseEventId);
        public ExactSum LiveBytes;
    }

    readonly Dictionary<int, PidLedger> _pids = new();
    PidLedger? _current;
    int _currentPid;
    long _nextChainId = 1;
    int _liveBlocks;

    // Exact: live blocks of up to 2^63 - 1 bytes each can add past 2^63 (a hostile or absurd log); stored saturated.
    ExactSum _liveBytes;

    /// <summary>Live bytes of all pids, saturated at 2^63 - 1 (see <see cref="Saturating"/>).</summary>
    public long LiveBytes => _liveBytes.Saturated;
    public int LiveBlocks => _liveBlocks;

    /// <summary>Live bytes and blocks of the pid of the last event applied.</summary>
    public long PidLiveBytes => _current is null ? 0 : _current.LiveBytes.Saturated;
    public int PidLiveBlocks => _current?.Blocks.Count ?? 0;

    /// <summary>The blocks the last event took out of the live set: the one it freed or realloc'd, the one whose pointer it reused.</summary>
    internal LiveBlock? Released { get; private set; }
    internal LiveBlock? Dropped { get; private set; }
    /// <summary>Whether the last event made a block live.</summary>
    internal bool MadeLive { get; private set; }

    public EventOutcome Apply(long eventId, int pid, in MemoryCall call) => Apply(eventId, pid, call, 0);

    /// <summary>Applies one event; <paramref name="context"/> numbers the allocation's site and stack (kept with the block).</summary>
    internal EventOutcome Apply(long eventId, int pid, in MemoryCall call, int context)
    {
        if (_current is null || pid != _currentPid)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_pids, pid, out _);
            _current = slot ??= new PidLedger(eventId);
            _currentPid = pid;
        }
        Released = Dropped = null;
        MadeLive = false;
        return call.Kind switch
        {
            CallKind.Malloc or CallKind.Calloc => Allocate(eventId, call, context),
            CallKind.Realloc => Reallocate(eventId, call, context),
            _ => Free(call.Pointer),
        };
    }

    /// <summary>Event ids of the (re)allocations whose blocks are still live: the leaks.</summary>
    public IEnumerable<long> LiveEventIds() => _pids.Values.SelectMany(p => p.Blocks.Blocks()).Select(b => b.EventId);

    /// <summary>Each pid's live bytes (saturated) and blocks now: at the end of a trace, its leaks.</summary>
    internal IEnumerable<(int Pid, long Bytes, int Blocks)> PerPid() =>
        _pids.Select(kv => (kv.Key, kv.Value.LiveBytes.Saturated, kv.Value.Blocks.Count));

    EventOutcome Allocate(long eventId, in MemoryCall call, int context)
    {
        bool replaced = MakeLive(call.Pointer, new LiveBlock(eventId, call.Size, 0, context));
        return new EventOutcome(null, 0, replaced, null);
    }

    EventOutcome Reallocate(long eventId, in MemoryCall call, int context)
    {
        string status;
        long freed = 0, chain = 0;
        // realloc(NULL, n) is an allocation; with no result printed (_PyObject_Realloc's in-place form) its address is
        // unknown: no block is made live at 0x0, which no free could ever match (a false leak)
        if (call.OldPointer == 0 && call.Pointer == 0) return new EventOutcome("null", 0, false, null);
        if (call.OldPointer == 0) status = "null";
        else if (Release(call.OldPointer) is { } old)
        {
            status = "freed";
            freed = old.Size;
            chain = old.ChainId != 0 ? old.ChainId : _nextChainId++;
        }
        else status = "unknown";
        bool replaced = MakeLive(call.Pointer, new LiveBlock(eventId, call.Size, chain, context));
        return new EventOutcome(status, freed, replaced, chain == 0 ? null : chain);
    }

    EventOutcome Free(long pointer)
    {
        if (pointer == 0) return new EventOutcome("null", 0, false, null);
        if (Release(pointer) is not { } block) return new EventOutcome("unknown", 0, false, null);
        return new EventOutcome("freed", block.Size, false, block.ChainId == 0 ? null : block.ChainId);
    }

    LiveBlock? Release(long pointer)
    {
        if (!_current!.Blocks.Remove(pointer, out var block)) return null;
        Leave(block);
        return Released = block;
    }

    void Leave(in LiveBlock block)
    {
        _current!.LiveBytes -= block.Size;
        _liveBytes -= block.Size;
        _liveBlocks--;
    }

    /// <summary>
    /// Makes the block live; true when its pointer was live already: that block's free was never seen, so it is
    /// dropped, its bytes leaving the live total without counting as freed. One lookup for both.
    /// </summary>
    bool MakeLive(long pointer, in LiveBlock block)
    {
        var stale = _current!.Blocks.Set(pointer, block);
        if (stale is { } dropped)
        {
            Leave(dropped);
            Dropped = dropped;
        }
        _current.LiveBytes += block.Size;
        _liveBytes += block.Size;
        _liveBlocks++;
        MadeLive = true;
        return stale is not null;
    }
}
