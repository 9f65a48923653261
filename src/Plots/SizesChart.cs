using PyMemTrace.Reports;
using PyMemTrace.Reports.Rendering;
using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>The size histogram (bucket, count, bytes) as bars, one per power-of-two bucket.</summary>
internal static class SizesChart
{
    public static void Draw(Plot plot, ReportTable table)
    {
        var rows = RowView.Of(table).ToList();
        var bars = plot.Add.Bars(rows.Select(r => r.Number("count")).ToArray());
        bars.Color = Colors.SteelBlue;
        double[] ticks = Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, rows.Select(r => Label(Convert.ToInt64(r["bucket"]))).ToArray());
        if (rows.Count > 32)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 60;
        }
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
