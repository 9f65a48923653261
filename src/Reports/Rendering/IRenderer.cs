namespace PyMemTrace.Reports.Rendering;

/// <summary>Writes a report table in one output format. Renderers know nothing of the queries.</summary>
public interface IRenderer
{
    void Render(ReportTable table, TextWriter output);
}

public static class Renderers
{
    public static readonly IReadOnlyList<string> Formats = ["table", "csv", "json"];

    public static IRenderer? ForFormat(string format) => format switch
    {
        "table" => new TextTableRenderer(),
        "csv" => new CsvRenderer(),
        "json" => new JsonRenderer(),
        _ => null,
    };
}
