namespace PyMemTrace.Store;

/// <summary>A live block as the ledger knows it: the (re)allocating event, its size, its realloc chain (0: none) and the
/// allocation context (site and call stack, numbered by <see cref="AllocationContexts"/>).</summary>
internal readonly record struct LiveBlock(long EventId, long Size, long ChainId, int Context);

/// <summary>
/// The live blocks of one pid, keyed by pointer: open addressing with linear probing and backward-shift deletion, so a
/// block costs one 20-byte slot (a .NET Dictionary of the same costs ~60 bytes an entry plus its doubling). A block
/// whose size, event offset or chain does not fit the slot's 32-bit fields, and a block at pointer 0 (the slots' empty
/// mark), is kept whole in a small dictionary beside the slots (the slot of such a block says so).
/// </summary>
internal sealed class LiveBlockTable
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
    struct Slot
    {
        public long Pointer;     // 0: empty
        public uint EventOffset; // event id - the table's base
        public uint Size;        // Spilled: the block is in _spilled
        public int Context;
    }

    const uint Spilled = uint.MaxValue;
    readonly long _baseEventId;
    readonly Dictionary<long, LiveBlock> _spilled = new();
    Slot[] _slots = new Slot[16];
    int _shift = 64 - 4, _inSlots;

    public LiveBlockTable(long baseEventId) => _baseEventId = baseEventId;

    public int Count => _inSlots + (_spilled.ContainsKey(0) ? 1 : 0);

    /// <summary>Makes <paramref name="block"/> live at <paramref name="pointer"/>; returns the block it replaced, if any.</summary>
    public LiveBlock? Set(long pointer, in LiveBlock block)
    {
        LiveBlock? old;
        if (pointer == 0)
        {
            old = _spilled.Remove(0, out var previous) ? previous : null;
            _spilled[0] = block;
            return old;
        }
        if ((_inSlots + 1) * 4 > _slots.Length * 3) Grow();
        int mask = _slots.Length - 1;
        for (int i = Home(pointer); ; i = (i + 1) & mask)
        {
            ref var slot = ref _slots[i];
            if (slot.Pointer == 0)
            {
                _inSlots++;
                Fill(ref slot, pointer, block);
                return null;
            }
            if (slot.Pointer == pointer)
            {
                old = Read(in slot, pointer);
                if (slot.Size == Spilled) _spilled.Remove(pointer);
                Fill(ref slot, pointer, block);
                return old;
            }
        }
    }

    public bool Remove(long pointer, out LiveBlock block)
    {
        if (pointer == 0) return _spilled.Remove(pointer, out block);
        int mask = _slots.Length - 1;
        for (int i = Home(pointer); ; i = (i + 1) & mask)
        {
            ref var slot = ref _slots[i];
            if (slot.Pointer == 0)
            {
                block = default;
                return false;
            }
            if (slot.Pointer != pointer) continue;
            block = Read(in slot, pointer);
            if (slot.Size == Spilled) _spilled.Remove(pointer);
            Vacate(i);
            _inSlots--;
            return true;
        }
    }

    public IEnumerable<LiveBlock> Blocks()
    {
        for (int i = 0; i < _slots.Length; i++)
            if (_slots[i].Pointer != 0) yield return Read(in _slots[i], _slots[i].Pointer);
        foreach (var (pointer, block) in _spilled)
            if (pointer == 0) yield return block;   // the others were read through their slots
    }

    bool Fits(in LiveBlock block) =>
        block.ChainId == 0 && (ulong)block.Size < Spilled && (ulong)(block.EventId - _baseEventId) < Spilled;

    void Fill(ref Slot slot, long pointer, in LiveBlock block)
    {
        slot.Pointer = pointer;
        slot.Context = block.Context;
        if (Fits(block))
        {
            slot.EventOffset = (uint)(block.EventId - _baseEventId);
            slot.Size = (uint)block.Size;
        }
        else
        {
            slot.Size = Spilled;
            _spilled[pointer] = block;
        }
    }

    LiveBlock Read(in Slot slot, long pointer) =>
        slot.Size == Spilled ? _spilled[pointer] : new LiveBlock(_baseEventId + slot.EventOffset, slot.Size, 0, slot.Context);

    // Fibonacci hashing: the pointer's bits, aligned or not, spread over the table's index bits.
    int Home(long pointer) => (int)(((ulong)pointer * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>Empties slot <paramref name="hole"/>, moving later slots of the same probe run back so no lookup stops short.</summary>
    void Vacate(int hole)
    {
        int mask = _slots.Length - 1;
        for (int j = (hole + 1) & mask; _slots[j].Pointer != 0; j = (j + 1) & mask)
        {
            int home = Home(_slots[j].Pointer);
            // the entry at j may move to the hole when its home is not cyclically within (hole, j]
            bool stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (stays) continue;
            _slots[hole] = _slots[j];
            hole = j;
        }
        _slots[hole] = default;
    }

    void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        _shift--;
        int mask = _slots.Length - 1;
        foreach (ref readonly var s in old.AsSpan())
        {
            if (s.Pointer == 0) continue;
            int i = Home(s.Pointer);
            while (_slots[i].Pointer != 0) i = (i + 1) & mask;
            _slots[i] = s;
        }
    }
}
