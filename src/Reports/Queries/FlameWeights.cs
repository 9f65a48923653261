using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>One call stack's share of a weight: frames root first ('file:function'), bytes and how many events or blocks.</summary>
public sealed record WeightedStack(IReadOnlyList<string> Frames, long Bytes, long Count);

/// <summary>
/// A way to weigh the call stacks in the flame graph (requested bytes, bytes never freed, bytes live at the peak):
/// its stacks largest first, cut to the largest <see cref="FlameWeights.MaxStacks"/> with the rest summed into one
/// "[other stacks]" entry, so the page stays small and the widths still add up to the total.
/// </summary>
public sealed record FlameWeight(string Id, string Label, string CountName, string Explanation, IReadOnlyList<WeightedStack> Stacks, long TotalStacks)
{
    public long TotalBytes => Saturating.Sum(Stacks.Select(s => s.Bytes));
}

/// <summary>The weights the report's flame graph offers for a trace with Python call stacks.</summary>
public static class FlameWeights
{
    public const int MaxStacks = 3000;
    public const string NoStack = StackReports.NoStack, OtherStacks = "[other stacks]";

    /// <summary>Requested bytes (malloc, calloc, realloc) by the stack they were requested under (what view stack_totals gives).</summary>
    public static FlameWeight Requested(SqliteConnection conn, long traceId) => Weight("requested", "requested", "allocations",
        "bytes requested (malloc, calloc, realloc) under each stack: where the churn is",
        PerStack(conn, traceId, "allocs", "bytes_allocated", MaxStacks).Select(s => (s.Path, s.Count, s.Bytes)));

    /// <summary>Bytes never freed, by the stack of the (re)allocation that made each block.</summary>
    public static FlameWeight Leaked(SqliteConnection conn, long traceId) => Weight("leaked", "leaked", "blocks",
        "bytes never freed, by the stack that allocated them: what did not come back",
        LeakStacks(conn, traceId).Select(s => (s.Path, s.Blocks, s.Bytes)));

    /// <summary>Never-freed bytes and blocks per stack path ('[no stack]' for events made outside any Python call), largest first.</summary>
    public static IReadOnlyList<(string Path, long Bytes, long Blocks)> LeakStacks(SqliteConnection conn, long traceId) =>
        PerStack(conn, traceId, "leaked_blocks", "leaked_bytes").Where(s => s.Count > 0).Select(s => (s.Path, s.Bytes, s.Count))
            .OrderByDescending(s => s.Bytes).ThenBy(s => s.Path, StringComparer.Ordinal).ToList();

    /// <summary>
    /// A count and a byte column of context_totals (kept at import) added up per call stack. With <paramref name="pathsFor"/>,
    /// only that many of the heaviest stacks (and their ties) get their path; the others are named
    /// <see cref="OtherStacks"/>, which is all a capped flame graph shows of them (a call-stack trace can have 100 000
    /// stacks of 40 frames: their paths were most of a report's time and memory).
    /// </summary>
    static IEnumerable<(string Path, long Count, long Bytes)> PerStack(SqliteConnection conn, long traceId, string count, string bytes, int? pathsFor = null)
    {
        var totals = conn.Query<(long Stack, long Count, long Bytes)>(
            $"SELECT coalesce(stack_id, 0), {count}, {bytes} FROM context_totals WHERE trace_id = @traceId", new { traceId })
            .GroupBy(c => c.Stack).Select(g => (Stack: g.Key, Count: g.Sum(c => c.Count), Bytes: Saturating.Sum(g.Select(c => c.Bytes))))
            .Where(t => t.Count > 0).ToList();
        long cut = pathsFor is { } n && totals.Count > n ? totals.Select(t => t.Bytes).OrderDescending().ElementAt(n - 1) : long.MinValue;
        var stacks = new StackFrames(conn, totals.Where(t => t.Bytes >= cut).Select(t => t.Stack));
        return totals.Select(t => (t.Stack == 0 ? NoStack : t.Bytes >= cut ? stacks.PathOf(t.Stack) : OtherStacks, t.Count, t.Bytes)).ToList();
    }

    /// <summary>Blocks by the stack that allocated them (its path, as view stack_paths writes it): count and bytes per stack.</summary>
    public static IReadOnlyList<(string Path, long Count, long Bytes)> ByStackPath(SqliteConnection conn, IEnumerable<BlockGroup> groups)
    {
        var list = groups.ToList();
        var stacks = new StackFrames(conn, list.Select(g => g.StackId));
        return list.GroupBy(g => g.StackId)
            .Select(g => (stacks.PathOf(g.Key), g.Sum(b => b.Blocks), Saturating.Sum(g.Select(b => b.Bytes)))).ToList();
    }

    /// <summary>A weight from any stacks (frames joined by ';', root first): for weights computed elsewhere.</summary>
    public static FlameWeight Weight(string id, string label, string countName, string explanation, IEnumerable<(string Path, long Count, long Bytes)> stacks)
    {
        var all = stacks.Where(s => s.Bytes > 0).OrderByDescending(s => s.Bytes).ThenBy(s => s.Path, StringComparer.Ordinal).ToList();
        var kept = all.Take(MaxStacks).Select(s => new WeightedStack(s.Path.Split(';'), s.Bytes, s.Count)).ToList();
        if (all.Count > MaxStacks)
        {
            var rest = all.Skip(MaxStacks).ToList();
            kept.Add(new WeightedStack([OtherStacks], Saturating.Sum(rest.Select(s => s.Bytes)), Saturating.Sum(rest.Select(s => s.Count))));
        }
        return new FlameWeight(id, label, countName, explanation, kept, all.Count);
    }
}
