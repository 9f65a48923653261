namespace PyMemTrace.Store;

/// <summary>
/// The live blocks of one pid in 16 <see cref="LiveBlockTable"/>s chosen by pointer. Each doubles on its own, so a
/// growth copies a sixteenth of the blocks, and the old and new slot arrays side by side are a sixteenth of what one
/// table's are (5 M live blocks: 240 MB at the last doubling of one table).
/// </summary>
internal sealed class LiveBlockShards
{
    const int Bits = 4;
    readonly LiveBlockTable[] _shards = new LiveBlockTable[1 << Bits];
    int _count;

    public LiveBlockShards(long baseEventId)
    {
        for (int i = 0; i < _shards.Length; i++) _shards[i] = new LiveBlockTable(baseEventId);
    }

    /// <summary>Live blocks in all shards (asked after every event: kept, not summed).</summary>
    public int Count => _count;

    /// <summary>Makes <paramref name="block"/> live at <paramref name="pointer"/>; returns the block it replaced, if any.</summary>
    public LiveBlock? Set(long pointer, in LiveBlock block)
    {
        var replaced = Of(pointer).Set(pointer, block);
        if (replaced is null) _count++;
        return replaced;
    }

    public bool Remove(long pointer, out LiveBlock block)
    {
        if (!Of(pointer).Remove(pointer, out block)) return false;
        _count--;
        return true;
    }

    public IEnumerable<LiveBlock> Blocks() => _shards.SelectMany(s => s.Blocks());

    // Another multiplier than the tables' own Fibonacci hashing, whose top bits pick the slot: the shard's bits must
    // not be the ones that place a block within its shard.
    LiveBlockTable Of(long pointer) => _shards[(int)(((ulong)pointer * 0xC2B2AE3D27D4EB4FUL) >> (64 - Bits))];
}
