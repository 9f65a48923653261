using PyMemTrace.Reports;
using PyMemTrace.Reports.Rendering;
using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>Horizontal bars of the first rows of a ranking table (functions by bytes allocated, leak sites by bytes).</summary>
internal static class RankingChart
{
    public const int MaxBars = 20;
    const int MaxLabel = 60;

    /// <summary>Height a bar's label needs (a 12 px line and a gap); the figure less its title and x axis holds that many.</summary>
    const int BarPixels = 17, Frame = 110;

    public static void Draw(Plot plot, ReportTable table, string title, string valueColumn, Func<RowView, string> label, int height, long? totalRows = null)
    {
        int fit = Math.Clamp((height - Frame) / BarPixels, 1, MaxBars);   // fewer bars on a short figure: labels never overlap
        var rows = RowView.Of(table).Take(fit).Reverse().ToList();
        double max = rows.Count == 0 ? 0 : rows.Max(r => r.Number(valueColumn));
        var unit = ByteUnits.For(max);
        var bars = plot.Add.Bars(rows.Select(r => r.Number(valueColumn) / unit.Divisor).ToArray());
        bars.Horizontal = true;
        bars.Color = Colors.IndianRed;
        double[] ticks = Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray();
        plot.Axes.Left.SetTicks(ticks, rows.Select(r => Shorten(label(r))).ToArray());
        plot.Axes.Margins(left: 0);
        long total = Math.Max(totalRows ?? 0, table.Rows.Count);
        plot.Axes.Title.Label.Text = rows.Count == total ? title : $"{title} (first {rows.Count} of {total})";
        plot.XLabel($"bytes ({unit.Name})");
    }

    static string Shorten(string s)
    {
        s = new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return s.Length <= MaxLabel ? s : "…" + s[^(MaxLabel - 1)..];
    }
}
