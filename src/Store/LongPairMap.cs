namespace PyMemTrace.Store;

/// <summary>
/// A map from a pair of longs to a long, by open addressing with linear probing: key and value sit in one 24-byte slot,
/// so a lookup in a big map (the half million (site, stack) contexts of a call-stack log) costs one cache miss where a
/// Dictionary of tuples costs two and a general hash. Entries are never removed. The first long of a key is never
/// long.MinValue (it marks an empty slot): the keys are ids and numbers, 0 and up.
/// </summary>
internal sealed class LongPairMap
{
    const long Empty = long.MinValue;

    struct Slot
    {
        public long A, B, Value;
    }

    Slot[] _slots = NewSlots(64);
    int _count, _mask = 63;

    public int Count => _count;

    /// <summary>The value of (<paramref name="a"/>, <paramref name="b"/>); added as 0 when absent (<paramref name="exists"/> false).</summary>
    public ref long GetOrAdd(long a, long b, out bool exists)
    {
        if (a == Empty) throw new ArgumentOutOfRangeException(nameof(a));
        if (_count * 2 >= _slots.Length) Grow();
        int i = Hash(a, b) & _mask;
        while (true)
        {
            ref var slot = ref _slots[i];
            if (slot.A == Empty)
            {
                (slot.A, slot.B) = (a, b);
                _count++;
                exists = false;
                return ref slot.Value;
            }
            if (slot.A == a && slot.B == b)
            {
                exists = true;
                return ref slot.Value;
            }
            i = (i + 1) & _mask;
        }
    }

    static int Hash(long a, long b)
    {
        ulong h = ((ulong)a * 0x9E3779B97F4A7C15UL) ^ ((ulong)b * 0xC2B2AE3D27D4EB4FUL);
        return (int)(h ^ (h >> 29));
    }

    static Slot[] NewSlots(int length)
    {
        var slots = new Slot[length];
        slots.AsSpan().Fill(new Slot { A = Empty });
        return slots;
    }

    void Grow()
    {
        var old = _slots;
        _slots = NewSlots(old.Length * 2);
        _mask = _slots.Length - 1;
        foreach (ref readonly var s in old.AsSpan())
        {
            if (s.A == Empty) continue;
            int i = Hash(s.A, s.B) & _mask;
            while (_slots[i].A != Empty) i = (i + 1) & _mask;
            _slots[i] = s;
        }
    }
}
