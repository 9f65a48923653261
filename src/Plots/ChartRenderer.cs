using PyMemTrace.Reports;
using PyMemTrace.Store;
using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>
/// Draws a report table as a PNG or SVG figure with ScottPlot (SkiaSharp, no display needed). Knows the columns of the
/// tables it draws, nothing of the queries that made them.
/// </summary>
public static class ChartRenderer
{
    public const int DefaultWidth = 1200, DefaultHeight = 600;

    /// <param name="totalRows">How many rows the whole ranking has when <paramref name="table"/> holds only its first ones ("first 20 of 502").</param>
    public static byte[] Png(ChartKind kind, ReportTable table, string traceName, int width = DefaultWidth, int height = DefaultHeight, long? totalRows = null) =>
        Build(kind, table, traceName, totalRows, width, height).GetImageBytes(width, height, ImageFormat.Png);

    public static string Svg(ChartKind kind, ReportTable table, string traceName, int width = DefaultWidth, int height = DefaultHeight, long? totalRows = null) =>
        Build(kind, table, traceName, totalRows, width, height).GetSvgXml(width, height);

    /// <summary>Writes FILE.png or FILE.svg, chosen by the extension, whole or not at all (<see cref="WholeFile"/>).</summary>
    public static void Save(ChartKind kind, ReportTable table, string traceName, string path, int width, int height, long? totalRows = null)
    {
        byte[] bytes = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => Png(kind, table, traceName, width, height, totalRows),
            ".svg" => new System.Text.UTF8Encoding(false).GetBytes(Svg(kind, table, traceName, width, height, totalRows)),
            _ => throw new ArgumentException($"'{path}': the figure's file name must end in .png or .svg"),
        };
        WholeFile.Write(path, file => file.Write(bytes));
    }

    /// <summary>
    /// Fewer numeric ticks than ScottPlot's default (which fits labels edge to edge: 16 crowded ones on an 800 px axis):
    /// its automatic ticks with labels measured half again as wide, and at least this many pixels apart.
    /// </summary>
    const double TickDensity = 0.6;
    const float MinimumTickSpacing = 64;

    static Plot Build(ChartKind kind, ReportTable table, string traceName, long? totalRows, int width, int height)
    {
        var plot = new Plot();
        switch (kind)
        {
            case ChartKind.Timeline: TimelineChart.Draw(plot, table); break;
            case ChartKind.SiteTimeline: SiteTimelineChart.Draw(plot, table); break;
            case ChartKind.Sizes: SizesChart.Draw(plot, table, width); break;
            case ChartKind.Functions: RankingChart.Draw(plot, table, "Bytes allocated per function", "bytes_allocated", r => $"{r["file"]}:{r["function"]}", height, totalRows); break;
            case ChartKind.Leaks: RankingChart.Draw(plot, table, "Leaked bytes per allocating site", "bytes", r => $"{r["file"]}:{r["line"]} {r["function"]}", height, totalRows); break;
        }
        foreach (var axis in new ScottPlot.IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
            if (axis.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic ticks)
            {
                ticks.TickDensity = TickDensity;
                ticks.MinimumTickSpacing = MinimumTickSpacing;
            }
        plot.Title(plot.Axes.Title.Label.Text + " — " + traceName);
        plot.Font.Set(ChartFonts.Use());
        return plot;
    }
}
