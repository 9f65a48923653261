using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// Follows each site's live bytes and blocks through a replay of every block (bytes saturating, never below 0, as the
/// reports add them): its maximum so far, and its values after the marked events.
/// </summary>
public sealed class SiteWatch(IReadOnlyList<long> marks) : IBlockObserver
{
    public readonly Dictionary<long, long> Live = new(), Blocks = new(), Max = new();
    public readonly List<Dictionary<long, long>> AtMarks = new();
    int _next;

    public void Added(in Block b)
    {
        Live[b.SiteId] = Saturating.Add(Live.GetValueOrDefault(b.SiteId), b.Size);
        Blocks[b.SiteId] = Blocks.GetValueOrDefault(b.SiteId) + 1;
        Max[b.SiteId] = Math.Max(Max.GetValueOrDefault(b.SiteId), Live[b.SiteId]);
    }

    public void Removed(in Block b)
    {
        Live[b.SiteId] = Math.Max(0, Live.GetValueOrDefault(b.SiteId) - b.Size);
        Blocks[b.SiteId]--;
    }

    public void After(long seq)
    {
        while (_next < marks.Count && marks[_next] <= seq)
        {
            AtMarks.Add(marks[_next] == 0 ? [] : new Dictionary<long, long>(Live));   // 0: before the first event
            _next++;
        }
    }
}
