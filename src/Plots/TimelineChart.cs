using PyMemTrace.Reports;
using PyMemTrace.Reports.Rendering;
using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>Live bytes after each event (a timeline table: event, line, live_bytes, peak), the peak marked and labelled.</summary>
internal static class TimelineChart
{
    public static void Draw(Plot plot, ReportTable table)
    {
        var rows = RowView.Of(table).ToList();
        double max = rows.Count == 0 ? 0 : rows.Max(r => r.Number("live_bytes"));
        var unit = ByteUnits.For(max);
        var axis = TimeAxis.For(rows);
        double[] xs = rows.Select(axis.X).ToArray();
        double[] ys = rows.Select(r => r.Number("live_bytes") / unit.Divisor).ToArray();
        if (xs.Length > 0)
        {
            var line = plot.Add.ScatterLine(xs, ys);
            line.LineWidth = 1.5f;
            line.Color = Colors.SteelBlue;
            line.LegendText = "live bytes after each event";
        }
        // RowView is a struct: FirstOrDefault would give an empty one, not null, for a trace never above 0 live bytes
        if (rows.Where(r => r["peak"] is true).Select(r => (RowView?)r).FirstOrDefault() is { } peak && xs.Length > 0)
        {
            long bytes = Convert.ToInt64(peak["live_bytes"]);
            var m = plot.Add.Marker(axis.X(peak), bytes / unit.Divisor);
            m.Color = Colors.Red;
            m.Size = 10;
            m.LegendText = $"peak {ByteUnits.Format(bytes)} ({bytes:N0} B) after event {peak["event"]}, log line {peak["line"]}{(axis.Seconds ? $", {peak.Number("seconds"):0.000} s" : "")}";
            plot.ShowLegend(Alignment.UpperLeft);
        }
        plot.Axes.Title.Label.Text = "Live memory over the trace";
        plot.XLabel(axis.Label);
        plot.YLabel($"live bytes ({unit.Name})");
        plot.Axes.SetLimitsY(0, Math.Max(1, max / unit.Divisor) * 1.1);
    }
}
