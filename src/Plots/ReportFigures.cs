using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Plots;

/// <summary>
/// The figures of the HTML report, drawn as SVG from the report's own tables (id → SVG text), at a size that reads well
/// from 800 px up (the page scales them down, never up).
/// </summary>
public static class ReportFigures
{
    public const int Width = 900, Height = 450;

    public static IReadOnlyDictionary<string, string> For(TraceReportData data)
    {
        string name = data.Trace.Label;
        var figures = new Dictionary<string, string> { ["timeline"] = ChartRenderer.Svg(ChartKind.Timeline, data.Timeline, name, Width, Height) };
        if (data.Blocks.SiteTimeline.Rows.Count > 0) figures["sites"] = ChartRenderer.Svg(ChartKind.SiteTimeline, data.Blocks.SiteTimeline, name, Width, Height);
        foreach (var (id, kind) in new[] { ("leaks", ChartKind.Leaks), ("functions", ChartKind.Functions), ("sizes", ChartKind.Sizes) })
        {
            var part = data.Part(id);
            if (part.Table.Rows.Count > 0) figures[id] = ChartRenderer.Svg(kind, part.Table, name, Width, Height, part.TotalRows);
        }
        return figures;
    }
}
