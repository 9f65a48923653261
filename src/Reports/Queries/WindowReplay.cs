using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The blocks allocated in a window of events and still live at its end, from one pass over the window's events only
/// (a release of a block older than the window finds nothing to remove; every later block at its address is seen
/// being made live). A long window is cut in two halves read at once on two connections, one core each, then joined:
/// a live block of the first half is gone when the second half released or replaced a block at its address (the
/// first such event there always finds no block of the second half's own). Each event can be counted on the way
/// (<see cref="Counter"/>), the halves' counts summed. The same verdicts as <see cref="BlockReplay"/>.
/// </summary>
public static class WindowReplay
{
    /// <summary>Below this many events one pass on the caller's connection is as fast as two.</summary>
    public const long SplitAbove = 1_000_000;
    const int Realloc = 1, Free = 2;   // 0: malloc or calloc

    /// <summary>
    /// Counts what it wants of each event: r[0] id, r[1] line, r[2] pid, r[3] kind (0 malloc or calloc, 1 realloc,
    /// 2 free), r[4] size, r[5] pointer, r[6] old pointer, r[7] 1 when it released a live block, r[8] site, r[9]
    /// stack (0: none), r[10] freed bytes. The values are read from SQLite once (each read is a call into it).
    /// </summary>
    public abstract class Counter
    {
        public abstract void Count(ReadOnlySpan<long> r);
        /// <summary>Adds the other half's counts to this one's.</summary>
        public abstract void Add(Counter other);
    }

    /// <summary>The blocks allocated in events <paramref name="fromSeq"/>..<paramref name="toSeq"/> of the trace whose
    /// first event has id <paramref name="firstEventId"/>, live right after <paramref name="toSeq"/>.</summary>
    public static List<Block> LiveAtEnd(SqliteConnection conn, long firstEventId, long fromSeq, long toSeq) =>
        Run(conn, firstEventId, fromSeq, toSeq, null).Live;

    /// <summary>The live blocks as <see cref="LiveAtEnd"/> gives them, and the events' counts (when asked for); windows
    /// longer than <paramref name="splitAbove"/> events are read in two halves.</summary>
    public static (List<Block> Live, Counter? Counts) Run(SqliteConnection conn, long firstEventId, long fromSeq, long toSeq, Func<Counter>? newCounter,
        long splitAbove = SplitAbove)
    {
        long seqBase = firstEventId - 1, first = seqBase + fromSeq, last = seqBase + toSeq;
        if (last - first < splitAbove || SecondConnection(conn) is not { } other)
        {
            var whole = new Half(seqBase, newCounter?.Invoke(), watchReleases: false);
            whole.Read(conn, first, last);
            return (whole.Live.Values.ToList(), whole.Counts);
        }
        long middle = first + (last - first) / 2;
        var early = new Half(seqBase, newCounter?.Invoke(), watchReleases: false);
        var late = new Half(seqBase, newCounter?.Invoke(), watchReleases: true);
        using (other)
        {
            var reading = Task.Run(() => late.Read(other, middle + 1, last));
            try
            {
                early.Read(conn, first, middle);
            }
            catch
            {
                reading.ContinueWith(_ => { }).Wait();   // the other half's connection is not closed under it
                throw;
            }
            reading.GetAwaiter().GetResult();
        }
        foreach (var at in late.ReleasedFirst) early.Live.Remove(at);
        var live = early.Live.Values.Concat(late.Live.Values).ToList();
        early.Counts?.Add(late.Counts!);
        return (live, early.Counts);
    }

    /// <summary>A connection of its own to the same database file; null for an in-memory one.</summary>
    internal static SqliteConnection? SecondConnection(SqliteConnection conn)
    {
        if (string.IsNullOrEmpty(conn.DataSource) || conn.DataSource == ":memory:" || !File.Exists(conn.DataSource)) return null;
        var other = new SqliteConnection(conn.ConnectionString);
        other.Open();
        return other;
    }

    /// <summary>One run of consecutive events and the blocks they left live.</summary>
    sealed class Half(long seqBase, Counter? counts, bool watchReleases)
    {
        const int Columns = 11;
        // No string compare per row but the status': a free is the event without a size, a realloc the one with an
        // old pointer; a NULL column reads as 0.
        static readonly string Sql = $"""
            SELECT id, line, pid, (size IS NULL) * {Free} + (old_ptr IS NOT NULL) * {Realloc}, size, ptr, old_ptr,
                   freed_site_id IS NOT NULL, site_id, stack_id, freed_bytes
            FROM events WHERE id BETWEEN ?1 AND ?2 ORDER BY id
            """;

        public readonly Dictionary<BlockAddress, Block> Live = new();
        /// <summary>Addresses where a block was released or replaced while this half had none there (the second half's;
        /// a list, not a set: appending is cheaper than hashing, and the first half's few live blocks are looked up after).</summary>
        public readonly List<BlockAddress> ReleasedFirst = new();
        public Counter? Counts => counts;

        readonly long[] _values = new long[Columns];

        public void Read(SqliteConnection conn, long first, long last) => RowScan.Each(conn, Sql, first, last, row =>
        {
            var r = _values;
            for (int c = 0; c < r.Length; c++) r[c] = row[c];
            int pid = (int)r[2];
            long kind = r[3];
            bool freed = r[7] != 0;
            if (kind == Free)
            {
                if (freed) Release(new BlockAddress(pid, r[5]));
            }
            else if (!(kind == Realloc && r[5] == 0 && r[6] == 0))   // realloc(NULL) that returned no address made no block live
            {
                if (kind == Realloc && freed) Release(new BlockAddress(pid, r[6]));
                var at = new BlockAddress(pid, r[5]);
                Release(at);   // a block still live there: its free was missed, it is dropped
                Live[at] = new Block(r[0] - seqBase, r[1], pid, r[5], r[4], r[8], r[9]);
            }
            counts?.Count(r);
        });

        void Release(BlockAddress at)
        {
            if (!Live.Remove(at) && watchReleases) ReleasedFirst.Add(at);
        }
    }
}

/// <summary>A block's identity, hashed like the import's ledger does (the tuple's general hash costs more).</summary>
internal readonly record struct BlockAddress(int Pid, long Pointer)
{
    public override int GetHashCode() => (int)((ulong)Pointer >> 3) ^ (int)((ulong)Pointer >> 35) ^ Pid * -1640531535;
}
