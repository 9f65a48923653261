using PyMemTrace.Reports;
using PyMemTrace.Reports.Rendering;
using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>The size histogram (bucket, count, bytes) as bars, one per power-of-two bucket.</summary>
internal static class SizesChart
{
    /// <summary>Room a bucket's label takes on the x axis ("128M" and a gap), in pixels.</summary>
    const int LabelPixels = 44;

    public static void Draw(Plot plot, ReportTable table, int width)
    {
        var rows = RowView.Of(table).ToList();
        var bars = plot.Add.Bars(rows.Select(r => r.Number("count")).ToArray());
        bars.Color = Colors.SteelBlue;
        // every bucket has its bar; only every step-th its label, so that labels never touch at this width (the
        // plot area is the figure less about 100 px of axes)
        int step = Math.Max(1, (int)Math.Ceiling(rows.Count * LabelPixels / (double)Math.Max(1, width - 100)));
        var labelled = Enumerable.Range(0, rows.Count).Where(i => i % step == 0).ToList();
        plot.Axes.Bottom.SetTicks(labelled.Select(i => (double)i).ToArray(), labelled.Select(i => Label(Convert.ToInt64(rows[i]["bucket"]))).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Axes.Title.Label.Text = "Requested sizes (power-of-two buckets)";
        plot.XLabel("requested size, at least (bytes; K = KiB, M = MiB, G = GiB)");
        plot.YLabel("allocations (count)");
    }

    /// <summary>Buckets are powers of two: 512, 1K, 2K, ... 1M.</summary>
    static string Label(long bucket)
    {
        var unit = ByteUnits.For(bucket);
        return unit.Divisor == 1 ? bucket.ToString() : $"{bucket / (long)unit.Divisor}{unit.Name[0]}";
    }
}
