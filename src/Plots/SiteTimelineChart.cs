using PyMemTrace.Reports;
using PyMemTrace.Reports.Rendering;
using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>
/// Live bytes of the biggest sites over the trace as a stacked area chart (heaptrack's "consumed" view), from a
/// per-site timeline table (event, file, line, function, live_bytes): the biggest site at the bottom, each band one site.
/// </summary>
internal static class SiteTimelineChart
{
    public static void Draw(Plot plot, ReportTable table)
    {
        var rows = RowView.Of(table).ToList();
        var axis = TimeAxis.For(rows);
        var firstOfEach = rows.GroupBy(r => r.Number("event")).OrderBy(g => g.Key).Select(g => g.First()).ToList();
        var events = firstOfEach.Select(r => r.Number("event")).ToArray();
        var xs = firstOfEach.Select(axis.X).ToArray();
        var index = events.Select((e, i) => (e, i)).ToDictionary(p => p.e, p => p.i);
        var sites = rows.GroupBy(r => $"{r["file"]}:{r["line"]} {r["function"]}")
            .Select(g => (Name: g.Key, Values: Values(g, index, events.Length))).ToList();
        var bottom = new double[events.Length];
        double max = 0;
        for (int i = 0; i < events.Length; i++) max = Math.Max(max, sites.Sum(s => s.Values[i]));
        var unit = ByteUnits.For(max);
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < sites.Count; k++)
        {
            var top = bottom.Select((b, i) => b + sites[k].Values[i] / unit.Divisor).ToArray();
            var band = plot.Add.FillY(xs, top, bottom);
            band.FillStyle.Color = palette.GetColor(k).WithAlpha(0.75);
            band.LineStyle.Width = 0;
            band.LegendText = Shorten(sites[k].Name);
            bottom = top;
        }
        if (sites.Count > 0) plot.ShowLegend(Edge.Bottom);   // below the bands: inside the plot it hides the biggest ones
        plot.Axes.Title.Label.Text = $"Live bytes of the {sites.Count} biggest sites";
        plot.XLabel(axis.Label);
        plot.YLabel($"live bytes ({unit.Name})");
        plot.Axes.SetLimitsY(0, Math.Max(1, max / unit.Divisor) * 1.1);
    }

    static double[] Values(IEnumerable<RowView> rows, Dictionary<double, int> index, int count)
    {
        var values = new double[count];
        foreach (var r in rows) values[index[r.Number("event")]] = r.Number("live_bytes");
        return values;
    }

    static string Shorten(string name) => name.Length <= 60 ? name : "…" + name[^59..];
}
