namespace PyMemTrace.Reports.Queries;

/// <summary>One point of a memory timeline: live bytes and blocks after an event.</summary>
public readonly record struct TimelinePoint(long Event, long Line, long LiveBytes, long LiveBlocks);

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
    public TimelineSampler(long count, int? points) => _width = RunWidth(count, points);

    TimelineSampler(long bucketsPerRun) => _width = bucketsPerRun;

    /// <summary>How many consecutive points make one run when <paramref name="count"/> points are cut down to <paramref name="points"/>.</summary>
    public static long RunWidth(long count, int? points) => points is { } n && count > n ? (count + (n - 1) / 2 - 1) / ((n - 1) / 2) : 1;

    /// <summary>
    /// A sampler fed whole buckets of points (<see cref="AddBucket"/>: each bucket's first highest and first lowest
    /// point), <paramref name="bucketsPerRun"/> buckets a run: the same points as feeding every point of runs that long.
    /// </summary>
    public static TimelineSampler OverBuckets(long bucketsPerRun) => new(bucketsPerRun);

    public void Add(TimelinePoint p)
    {
        AddBucket(p, p);
        _last = p;
    }

    /// <summary>Consecutive points reduced to their first highest and first lowest point.</summary>
    public void AddBucket(in TimelinePoint high, in TimelinePoint low)
    {
        _index++;
        if (high.LiveBytes > 0 && (Peak is null || high.LiveBytes > Peak.Value.LiveBytes)) Peak = high;
        if (_index % _width == 0)
        {
            if (_index > 0) KeepRun();
            (_high, _low) = (high, low);
        }
        else
        {
            if (high.LiveBytes > _high.LiveBytes) _high = high;
            if (low.LiveBytes < _low.LiveBytes) _low = low;
        }
    }

    /// <summary>The last point of a timeline fed by buckets (always kept).</summary>
    public void EndsWith(TimelinePoint last) => _last = last;

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
