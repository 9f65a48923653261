using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Plots;

/// <summary>The figures of the HTML report, drawn as SVG from the report's own tables (id → SVG text).</summary>
public static class ReportFigures
{
    public static IReadOnlyDictionary<string, string> For(TraceReportData data)
    {
        string name = data.Trace.Name;
        var figures = new Dictionary<string, string> { ["timeline"] = ChartRenderer.Svg(ChartKind.Timeline, data.Timeline, name) };
        if (data.Part("leaks").Table.Rows.Count > 0) figures["leaks"] = ChartRenderer.Svg(ChartKind.Leaks, data.Part("leaks").Table, name);
        if (data.Part("functions").Table.Rows.Count > 0) figures["functions"] = ChartRenderer.Svg(ChartKind.Functions, data.Part("functions").Table, name);
        if (data.Part("sizes").Table.Rows.Count > 0) figures["sizes"] = ChartRenderer.Svg(ChartKind.Sizes, data.Part("sizes").Table, name);
        return figures;
    }
}
