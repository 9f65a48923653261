using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>One site's live bytes and blocks now, the most live bytes so far, and its value after the marked events where it changed.</summary>
internal sealed class SiteState
{
    public long Live, Blocks, Max;
    public bool Changed;
    public readonly List<(int Mark, long Bytes)> Series = new();
    /// <summary>Of a watcher of changes only: the change of live bytes so far, the lowest it went, and the highest after an addition.</summary>
    public Int128 Change, LowestChange, HighestChange = Int128.MinValue;
}

/// <summary>
/// Follows every site's live bytes through a replay (of blocks, or of the sites' own changes) and notes them after
/// each marked event. Bytes add up as the import's do: saturating, never below 0. A watcher of changes only
/// (<see cref="Changes"/>) follows the second half of a replay from zero, its sites' values at its start not yet
/// known; <see cref="Join"/> adds them on.
/// </summary>
internal sealed class SiteWatcher(ResolvedFilter f, IReadOnlyList<long> marks) : IBlockObserver, ISiteObserver
{
    public readonly Dictionary<long, SiteState> Sites = new();
    readonly List<SiteState> _changed = new();
    bool _changesOnly;
    int _next;

    /// <summary>A watcher that counts each site's changes from zero: plain sums, no saturation and no floor.</summary>
    public static SiteWatcher Changes(ResolvedFilter f, IReadOnlyList<long> marks) => new(f, marks) { _changesOnly = true };

    bool Passes(in Block b) => (f.Pid is null || b.Pid == f.Pid) && (b.StackId == 0 || !f.ExcludedStacks.Contains(b.StackId));

    SiteState? Of(long site)
    {
        if (f.ExcludedSites.Contains(site)) return null;
        if (!Sites.TryGetValue(site, out var s)) Sites[site] = s = new SiteState();
        if (!s.Changed) { s.Changed = true; _changed.Add(s); }
        return s;
    }

    public void Added(in Block b)
    {
        if (Passes(b)) Added(b.SiteId, b.Size);
    }

    public void Removed(in Block b)
    {
        if (Passes(b)) Removed(b.SiteId, b.Size);
    }

    public void Started(long site, long live, long blocks, long max)
    {
        if (Of(site) is not { } s) return;
        (s.Live, s.Blocks, s.Max) = (live, blocks, max);
    }

    public void Added(long site, long size)
    {
        if (Of(site) is not { } s) return;
        s.Blocks++;
        if (_changesOnly)
        {
            s.Change += size;
            s.Live = (long)s.Change;   // exact whenever Join uses it (it checks)
            if (s.Change > s.HighestChange) s.HighestChange = s.Change;
            return;
        }
        s.Live = Saturating.Add(s.Live, size);   // a saturated site stays saturated: its bytes are not known exactly
        if (s.Live > s.Max) s.Max = s.Live;
    }

    public void Removed(long site, long size)
    {
        if (Of(site) is not { } s) return;
        s.Blocks--;
        if (_changesOnly)
        {
            s.Change -= size;
            s.Live = (long)s.Change;
            if (s.Change < s.LowestChange) s.LowestChange = s.Change;
            return;
        }
        s.Live = Math.Max(0, s.Live - size);   // after a saturated sum, never below nothing
    }

    public void After(long seq)
    {
        while (_next < marks.Count && marks[_next] <= seq)   // a mark before the first event (0) sees nothing yet
        {
            if (marks[_next] == seq)
            {
                foreach (var s in _changed)
                {
                    s.Series.Add((_next, s.Live));
                    s.Changed = false;
                }
                _changed.Clear();
            }
            _next++;
        }
    }

    /// <summary>
    /// Adds the changes a watcher of changes only saw after this one's last event: false, and nothing changed, when a
    /// site's bytes would have passed 2^63 - 1 or gone below 0 on the way (there the import's saturation and floor make
    /// the order matter: replay the second half on this watcher instead).
    /// </summary>
    public bool Join(SiteWatcher later)
    {
        foreach (var (site, change) in later.Sites)
        {
            var now = Sites.GetValueOrDefault(site);
            long live = now?.Live ?? 0;
            if (live + change.HighestChange > long.MaxValue || live + change.LowestChange < 0) return false;
        }
        int firstLaterMark = _next;   // this watcher's sites changed since its last mark are noted at the later half's first
        foreach (var s in _changed)
        {
            s.Series.Add((firstLaterMark, s.Live));
            s.Changed = false;
        }
        _changed.Clear();
        foreach (var (site, change) in later.Sites)
        {
            if (!Sites.TryGetValue(site, out var s)) Sites[site] = s = new SiteState();
            foreach (var (mark, bytes) in change.Series) s.Series.Add((mark, s.Live + bytes));
            if (change.HighestChange != Int128.MinValue) s.Max = Math.Max(s.Max, (long)(s.Live + change.HighestChange));
            s.Live += change.Live;
            s.Blocks += change.Blocks;
        }
        _next = later._next;
        return true;
    }

    /// <summary>The site's live bytes after the marked event <paramref name="mark"/> (0 before it ever changed).</summary>
    public long ValueAt(long site, int mark)
    {
        if (!Sites.TryGetValue(site, out var s)) return 0;
        long value = 0;
        foreach (var (m, bytes) in s.Series)
        {
            if (m > mark) break;
            value = bytes;
        }
        return value;
    }
}
