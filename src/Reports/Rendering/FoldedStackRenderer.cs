using System.Globalization;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// The flame-graph folded-stack format (flamegraph.pl, speedscope, inferno): one line per stack, frames root first
/// joined by ';', a space, the weight. Reads the columns "stack" and "bytes". Control characters in a frame are made
/// visible (\x1b): the lines go to a terminal or to flamegraph.pl, which would copy them raw into its SVG.
/// </summary>
public sealed class FoldedStackRenderer : IRenderer
{
    public void Render(ReportTable table, TextWriter output)
    {
        int stack = table.IndexOf("stack"), bytes = table.IndexOf("bytes");
        foreach (var row in table.Rows)
            output.WriteLine($"{TerminalText.Visible(row[stack] as string ?? "")} {Convert.ToString(row[bytes], CultureInfo.InvariantCulture)}");
    }
}
