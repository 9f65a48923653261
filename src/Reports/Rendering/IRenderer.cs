namespace PyMemTrace.Reports.Rendering;

/// <summary>Writes a report table in one output format. Renderers know nothing of the queries.</summary>
public interface IRenderer
{
    void Render(ReportTable table, TextWriter output);
}

public static class Renderers
{
    public static readonly IReadOnlyList<string> Formats = ["table", "csv", "json"];

    /// <summary>The renderer of a format; <paramref name="style"/> lays out tables for the terminal (and says whether one is there).</summary>
    public static IRenderer? ForFormat(string format, TableStyle? style = null) => format switch
    {
        "table" => new TextTableRenderer(style),
        "csv" => new CsvRenderer(forTerminal: style?.OnTerminal ?? false),
        "json" => new JsonRenderer(),
        _ => null,
    };
}
