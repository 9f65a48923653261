using CsCheck;
using PyMemTrace.Parser.Model;
using PyMemTrace.Store;

namespace PyMemTrace.Tests.Accounting;

/// <summary>
/// The ledger's compact live-block table against the plainest model of the accounting rules (a dictionary per
/// (pid, pointer)), over random event sequences built to hit its corners: few pointers (collisions, reuse, missed
/// frees), pointer 0, sizes past 2^32 and near 2^63, realloc chains, several pids, tables that grow.
/// </summary>
public class HeapLedgerModelTests
{
    record struct Op(int Kind, int Pid, long Pointer, long OldPointer, long Size);

    static readonly Gen<long> Pointers = Gen.OneOf(Gen.Long[0, 40].Select(p => p * 16), Gen.Long[1, 5000].Select(p => 0x7f0000000000 + p * 16), Gen.Const(0L));
    static readonly Gen<long> Sizes = Gen.OneOf(Gen.Long[0, 4096], Gen.Const(4294967295L), Gen.Const(4294967296L), Gen.Long[long.MaxValue - 10, long.MaxValue]);
    static readonly Gen<Op> Ops = Gen.Select(Gen.Int[0, 3], Gen.Int[1, 3], Pointers, Pointers, Sizes).Select((k, pid, p, o, s) => new Op(k, pid, p, o, s));

    [Fact]
    public void Compact_table_agrees_with_a_dictionary_model() =>
        Ops.Array[1, 3000].Sample(ops =>
        {
            var ledger = new HeapLedger();
            var live = new Dictionary<(int, long), (long Event, long Size, long Chain)>();
            long nextChain = 1;
            Int128 liveBytes = 0;
            for (int i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                long id = 1000 + i;
                var call = op.Kind switch
                {
                    0 => new MemoryCall(CallKind.Malloc, "malloc", op.Size, op.Pointer),
                    1 => new MemoryCall(CallKind.Realloc, "realloc", op.Size, op.Pointer, OldPointer: op.OldPointer),
                    _ => new MemoryCall(CallKind.Free, "free", 0, op.Pointer),
                };
                var got = ledger.Apply(id, op.Pid, call);
                EventOutcome expected;
                if (call.Kind == CallKind.Free)
                {
                    if (op.Pointer == 0) expected = new EventOutcome("null", 0, false, null);
                    else if (live.Remove((op.Pid, op.Pointer), out var b))
                    {
                        liveBytes -= b.Size;
                        expected = new EventOutcome("freed", b.Size, false, b.Chain == 0 ? null : b.Chain);
                    }
                    else expected = new EventOutcome("unknown", 0, false, null);
                }
                else if (call.Kind == CallKind.Realloc && op.OldPointer == 0 && op.Pointer == 0) expected = new EventOutcome("null", 0, false, null);
                else
                {
                    string? status = null;
                    long freed = 0, chain = 0;
                    if (call.Kind == CallKind.Realloc)
                    {
                        if (op.OldPointer == 0) status = "null";
                        else if (live.Remove((op.Pid, op.OldPointer), out var old))
                        {
                            status = "freed";
                            freed = old.Size;
                            liveBytes -= old.Size;
                            chain = old.Chain != 0 ? old.Chain : nextChain++;
                        }
                        else status = "unknown";
                    }
                    bool replaced = live.Remove((op.Pid, op.Pointer), out var stale);
                    if (replaced) liveBytes -= stale.Size;
                    live[(op.Pid, op.Pointer)] = (id, op.Size, chain);
                    liveBytes += op.Size;
                    expected = new EventOutcome(status, freed, replaced, chain == 0 ? null : chain);
                }
                Assert.Equal(expected, got);
                Assert.Equal(live.Count, ledger.LiveBlocks);
                Assert.Equal(Saturating.ToInt64(liveBytes), ledger.LiveBytes);
            }
            Assert.Equal(live.Values.Select(b => b.Event).Order(), ledger.LiveEventIds().Order());
        }, iter: 300);
}
