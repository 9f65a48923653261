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
    readonly record struct Block(long EventId, long Size, long ChainId);

    /// <summary>A block's identity. Its own hash: the tuple's general one was a noticeable part of every event's cost.</summary>
    readonly record struct Address(int Pid, long Pointer)
    {
        public override int GetHashCode() => (int)((ulong)Pointer >> 3) ^ (int)((ulong)Pointer >> 35) ^ Pid * -1640531535;
    }

    readonly Dictionary<Address, Block> _live = new();
    long _nextChainId = 1;

    // Exact: live blocks of up to 2^63 - 1 bytes each can add past 2^63 (a hostile or absurd log); stored saturated.
    Int128 _liveBytes;

    /// <summary>Live bytes of all pids, saturated at 2^63 - 1 (see <see cref="Saturating"/>).</summary>
    public long LiveBytes => Saturating.ToInt64(_liveBytes);
    public int LiveBlocks => _live.Count;

    public EventOutcome Apply(long eventId, int pid, in MemoryCall call) => call.Kind switch
    {
        CallKind.Malloc or CallKind.Calloc => Allocate(eventId, pid, call),
        CallKind.Realloc => Reallocate(eventId, pid, call),
        _ => Free(pid, call.Pointer),
    };

    /// <summary>Event ids of the (re)allocations whose blocks are still live: the leaks.</summary>
    public IEnumerable<long> LiveEventIds() => _live.Values.Select(b => b.EventId);

    EventOutcome Allocate(long eventId, int pid, in MemoryCall call)
    {
        bool replaced = MakeLive(pid, call.Pointer, new Block(eventId, call.Size, 0));
        return new EventOutcome(null, 0, replaced, null);
    }

    EventOutcome Reallocate(long eventId, int pid, in MemoryCall call)
    {
        string status;
        long freed = 0, chain = 0;
        // realloc(NULL, n) is an allocation; with no result printed (_PyObject_Realloc's in-place form) its address is
        // unknown: no block is made live at 0x0, which no free could ever match (a false leak)
        if (call.OldPointer == 0 && call.Pointer == 0) return new EventOutcome("null", 0, false, null);
        if (call.OldPointer == 0) status = "null";
        else if (_live.Remove(new Address(pid, call.OldPointer), out var old))
        {
            status = "freed";
            freed = old.Size;
            _liveBytes -= old.Size;
            chain = old.ChainId != 0 ? old.ChainId : _nextChainId++;
        }
        else status = "unknown";
        bool replaced = MakeLive(pid, call.Pointer, new Block(eventId, call.Size, chain));
        return new EventOutcome(status, freed, replaced, chain == 0 ? null : chain);
    }

    EventOutcome Free(int pid, long pointer)
    {
        if (pointer == 0) return new EventOutcome("null", 0, false, null);
        if (!_live.Remove(new Address(pid, pointer), out var block)) return new EventOutcome("unknown", 0, false, null);
        _liveBytes -= block.Size;
        return new EventOutcome("freed", block.Size, false, block.ChainId == 0 ? null : block.ChainId);
    }

    /// <summary>
    /// Makes the block live; true when its pointer was live already: that block's free was never seen, so it is
    /// dropped, its bytes leaving the live total without counting as freed. One lookup for both.
    /// </summary>
    bool MakeLive(int pid, long pointer, Block block)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_live, new Address(pid, pointer), out bool stale);
        if (stale) _liveBytes -= slot.Size;
        slot = block;
        _liveBytes += block.Size;
        return stale;
    }
}
