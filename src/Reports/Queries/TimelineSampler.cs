namespace PyMemTrace.Reports.Queries;

/// <summary>One point of a memory timeline: live bytes and blocks after an event, and the event's time stamp (-1: none).</summary>
public readonly record struct TimelinePoint(long Event, long Line, long LiveBytes, long LiveBlocks, long TimeNs = -1);

/// <summary>
/// Downsamples a timeline in one pass: the points are split into equal runs, and from each run the first point with
/// the most live bytes and the first with the fewest are kept, plus the last point. The envelope of the curve survives
/// at that resolution, and the peak (the first point at the maximum) is always kept.
/// </summary>
public sealed class TimelineSampler
{
    readonly long _width;
    readonly List<TimelinePoint> _kept = new();
    TimelinePoint _high, _low, _last;
    long _index = -1;

    public TimelinePoint? Peak { get; private set; }

    /// <param name="count">How many points will be added.</param>
    /// <param name="points">At most this many points are kept (at least 3); null keeps every point.</param>
    public TimelineSampler(long count, int? points) =>
        _width = points is { } n && count > n ? (count + (n - 1) / 2 - 1) / ((n - 1) / 2) : 1;

    public void Add(TimelinePoint p)
    {
        _index++;
        if (p.LiveBytes > 0 && (Peak is null || p.LiveBytes > Peak.Value.LiveBytes)) Peak = p;
        if (_index % _width == 0)
        {
            if (_index > 0) KeepRun();
            _high = _low = p;
        }
        else
        {
            if (p.LiveBytes > _high.LiveBytes) _high = p;
            if (p.LiveBytes < _low.LiveBytes) _low = p;
        }
        _last = p;
    }

    /// <summary>The kept points in event order.</summary>
    public IReadOnlyList<TimelinePoint> Points()
    {
        if (_index >= 0)
        {
            KeepRun();
            if (_kept[^1].Event != _last.Event) _kept.Add(_last);
            _index = -1;
        }
        return _kept;
    }

    void KeepRun()
    {
        var (first, second) = _low.Event < _high.Event ? (_low, _high) : (_high, _low);
        Keep(first);
        Keep(second);
    }

    void Keep(TimelinePoint p)
    {
        if (_kept.Count == 0 || _kept[^1].Event != p.Event) _kept.Add(p);
    }
}
