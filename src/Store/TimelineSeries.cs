namespace PyMemTrace.Store;

/// <summary>Live bytes and blocks after one event (its 1-based number and log line).</summary>
internal readonly record struct SeriesPoint(long Event, long Line, long LiveBytes, long LiveBlocks);

/// <summary>
/// A timeline kept at import in at most <c>2 × buckets</c> buckets of equal width (a power of two of events): each
/// bucket keeps its first highest and first lowest point, so any downsampling into runs of whole buckets (as the
/// timeline report's sampler does) reads the same points it would read from every event. The width doubles, and
/// neighbouring buckets merge, whenever the buckets fill: memory stays fixed however long the trace.
/// </summary>
internal sealed class TimelineSeries(int buckets)
{
    readonly List<(SeriesPoint High, SeriesPoint Low)> _full = new();
    SeriesPoint _high, _low;
    long _width = 1, _count, _leftInBucket;   // a count-down, not _count % _width: a division per event

    public long Count => _count;
    public long Width => _width;
    public SeriesPoint Last { get; private set; }

    public void Add(in SeriesPoint p)
    {
        if (_leftInBucket == 0)
        {
            if (_count > 0) Close();
            _high = _low = p;
            _leftInBucket = _width;
        }
        else
        {
            if (p.LiveBytes > _high.LiveBytes) _high = p;
            if (p.LiveBytes < _low.LiveBytes) _low = p;
        }
        _count++;
        _leftInBucket--;
        Last = p;
    }

    /// <summary>The buckets in order, the last one possibly shorter than the width.</summary>
    public IEnumerable<(SeriesPoint High, SeriesPoint Low)> Buckets()
    {
        foreach (var b in _full) yield return b;
        if (_count > _full.Count * _width) yield return (_high, _low);   // the bucket in progress
    }

    void Close()
    {
        _full.Add((_high, _low));
        if (_full.Count < 2 * buckets) return;
        for (int i = 0; i < buckets; i++)
        {
            var (a, b) = (_full[2 * i], _full[2 * i + 1]);
            _full[i] = (b.High.LiveBytes > a.High.LiveBytes ? b.High : a.High, b.Low.LiveBytes < a.Low.LiveBytes ? b.Low : a.Low);
        }
        _full.RemoveRange(buckets, buckets);
        _width *= 2;
    }

    /// <summary>Writes the series' buckets and its facts (timeline_series, timeline_buckets); <paramref name="pid"/> null: all pids.</summary>
    public void Store(Microsoft.Data.Sqlite.SqliteConnection conn, long traceId, int? pid)
    {
        if (_count == 0) return;
        using (var series = PreparedInsert.Into(conn, "timeline_series", "trace_id", "pid", "events", "width", "last_event", "last_line",
                   "last_bytes", "last_blocks"))
            series.Bind(1, traceId).Bind(2, pid).Bind(3, _count).Bind(4, _width).Bind(5, Last.Event).Bind(6, Last.Line)
                .Bind(7, Last.LiveBytes).Bind(8, Last.LiveBlocks).Run();
        using var insert = PreparedInsert.Into(conn, "timeline_buckets", "trace_id", "pid", "bucket", "high_event", "high_line", "high_bytes",
            "high_blocks", "low_event", "low_line", "low_bytes", "low_blocks");
        long index = 0;
        foreach (var (high, low) in Buckets())
            insert.Bind(1, traceId).Bind(2, pid).Bind(3, index++).Bind(4, high.Event).Bind(5, high.Line).Bind(6, high.LiveBytes)
                .Bind(7, high.LiveBlocks).Bind(8, low.Event).Bind(9, low.Line).Bind(10, low.LiveBytes).Bind(11, low.LiveBlocks).Run();
    }
}
