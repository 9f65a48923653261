using PyMemTrace.Parser.Model;
using PyMemTrace.Store;

namespace PyMemTrace.Tests.Accounting;

/// <summary>The accounting contract of issue 2, rule by rule.</summary>
public class HeapLedgerTests
{
    readonly HeapLedger _ledger = new();
    long _nextId = 1;

    EventOutcome Malloc(int pid, long size, long ptr) => _ledger.Apply(_nextId++, pid, new MemoryCall(CallKind.Malloc, "malloc", size, ptr));
    EventOutcome Calloc(int pid, long n, long s, long ptr) => _ledger.Apply(_nextId++, pid, new MemoryCall(CallKind.Calloc, "calloc", n * s, ptr, Count: n, ElementSize: s));
    EventOutcome Realloc(int pid, long old, long size, long ptr) => _ledger.Apply(_nextId++, pid, new MemoryCall(CallKind.Realloc, "realloc", size, ptr, OldPointer: old));
    EventOutcome Free(int pid, long ptr) => _ledger.Apply(_nextId++, pid, new MemoryCall(CallKind.Free, "free", 0, ptr));

    [Fact]
    public void Malloc_then_free_releases_the_block()
    {
        Malloc(1, 100, 0x10);
        Calloc(1, 3, 8, 0x20);
        Assert.Equal((124L, 2), (_ledger.LiveBytes, _ledger.LiveBlocks));
        Assert.Equal(new EventOutcome("freed", 100, false, null), Free(1, 0x10));
        Assert.Equal((24L, 1), (_ledger.LiveBytes, _ledger.LiveBlocks));
        Assert.Equal([2L], _ledger.LiveEventIds());
    }

    [Fact]
    public void Realloc_moves_the_block_and_frees_the_old_size()
    {
        Malloc(1, 100, 0x10);
        var moved = Realloc(1, 0x10, 300, 0x80);
        Assert.Equal(new EventOutcome("freed", 100, false, 1), moved);
        Assert.Equal((300L, 1), (_ledger.LiveBytes, _ledger.LiveBlocks));
        Assert.Equal(new EventOutcome("unknown", 0, false, null), Free(1, 0x10)); // the old pointer is gone
        Assert.Equal(new EventOutcome("freed", 300, false, 1), Free(1, 0x80));   // the free ends chain 1
    }

    [Fact]
    public void Successive_reallocs_extend_one_chain_and_a_new_block_starts_another()
    {
        Malloc(1, 8, 0x10);
        Assert.Equal(1L, Realloc(1, 0x10, 16, 0x10).ChainId);
        Assert.Equal(1L, Realloc(1, 0x10, 32, 0x20).ChainId);
        Malloc(1, 8, 0x30);
        Assert.Equal(2L, Realloc(1, 0x30, 16, 0x30).ChainId);
    }

    [Fact]
    public void Realloc_of_an_unknown_or_null_pointer_starts_no_chain_but_makes_the_new_block_live()
    {
        Assert.Equal(new EventOutcome("unknown", 0, false, null), Realloc(1, 0x99, 40, 0x40));
        Assert.Equal(new EventOutcome("null", 0, false, null), Realloc(1, 0, 10, 0x50));
        Assert.Equal((50L, 2), (_ledger.LiveBytes, _ledger.LiveBlocks));
    }

    [Fact]
    public void Realloc_of_null_with_no_result_printed_leaves_no_block_at_null()
    {
        // _PyObject_Realloc(0x0, 24): an allocation whose address the log does not give; a block at 0x0 would be a false leak
        Assert.Equal(new EventOutcome("null", 0, false, null), Realloc(1, 0, 24, 0));
        Assert.Equal((0L, 0), (_ledger.LiveBytes, _ledger.LiveBlocks));
        Assert.Empty(_ledger.LiveEventIds());
        Assert.Equal(new EventOutcome("null", 0, false, null), Free(1, 0));
    }

    [Fact]
    public void Null_and_unknown_frees_change_nothing()
    {
        Malloc(1, 10, 0x10);
        Assert.Equal(new EventOutcome("null", 0, false, null), Free(1, 0));
        Assert.Equal(new EventOutcome("unknown", 0, false, null), Free(1, 0x11));
        Assert.Equal((10L, 1), (_ledger.LiveBytes, _ledger.LiveBlocks));
    }

    [Fact]
    public void A_pointer_returned_again_while_live_is_a_missed_free()
    {
        Malloc(1, 10, 0x10);
        var again = Malloc(1, 25, 0x10);
        Assert.True(again.Replaced);
        Assert.Equal(0, again.FreedBytes);                        // dropped, not freed
        Assert.Equal((25L, 1), (_ledger.LiveBytes, _ledger.LiveBlocks));
        Assert.Equal([2L], _ledger.LiveEventIds());                // the leak is the second block
    }

    [Fact]
    public void A_missed_free_drops_a_chained_block_and_its_chain()
    {
        Malloc(1, 10, 0x10);
        Realloc(1, 0x10, 20, 0x10);
        Malloc(1, 5, 0x10);
        Assert.Equal(new EventOutcome("freed", 5, false, null), Free(1, 0x10));
    }

    [Fact]
    public void Two_pids_sharing_pointer_values_are_separate_heaps()
    {
        Malloc(100, 10, 0x10);
        Assert.False(Malloc(200, 20, 0x10).Replaced);
        Assert.Equal((30L, 2), (_ledger.LiveBytes, _ledger.LiveBlocks));
        Assert.Equal(new EventOutcome("freed", 20, false, null), Free(200, 0x10));
        Assert.Equal(new EventOutcome("unknown", 0, false, null), Free(200, 0x10));
        Assert.Equal([1L], _ledger.LiveEventIds());
    }
}
