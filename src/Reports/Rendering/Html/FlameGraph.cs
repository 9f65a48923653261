using System.Globalization;
using System.Text;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// The call-stack tree (stack_id, parent_id, file, function, self_bytes, total_bytes, total_allocs) as an SVG flame
/// graph: outermost frames at the bottom, each frame as wide as the bytes requested in it and below it. The exact bytes
/// are in each frame's tooltip.
/// </summary>
internal static class FlameGraph
{
    const double Width = 1200, RowHeight = 18, CharWidth = 6.7;

    sealed record Node(long Id, long? Parent, string File, string Function, long Total, long Allocs)
    {
        public List<Node> Children { get; } = new();
    }

    public static void Write(StringBuilder html, ReportTable stacks)
    {
        var nodes = stacks.Rows.Select(r => new Node(Long(stacks, r, "stack_id"), r[stacks.IndexOf("parent_id")] as long?,
            (string)r[stacks.IndexOf("file")]!, (string)r[stacks.IndexOf("function")]!, Long(stacks, r, "total_bytes"),
            Long(stacks, r, "total_allocs"))).ToDictionary(n => n.Id);
        var roots = new List<Node>();
        foreach (var n in nodes.Values)
            if (n.Parent is { } p && nodes.TryGetValue(p, out var parent)) parent.Children.Add(n);
            else if (n.Parent is null) roots.Add(n);
        long all = Saturating.Sum(roots.Select(r => r.Total));
        if (all <= 0)
        {
            html.Append("<p class=\"note\">(no bytes were requested under a known call stack)</p>\n");
            return;
        }
        int depth = Depth(roots);
        double height = (depth + 1) * RowHeight;
        html.Append($"<svg class=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{F(height)}\" viewBox=\"0 0 {Width} {F(height)}\" role=\"img\" aria-label=\"Flame graph of bytes requested per call stack\">\n");
        Frame(html, "all stacks", "", all, Saturating.Sum(roots.Select(r => r.Allocs)), all, 0, height - RowHeight);
        double x = 0;
        foreach (var r in roots.OrderByDescending(r => r.Total).ThenBy(r => r.Id))
        {
            Draw(html, r, all, x, height - 2 * RowHeight);
            x += r.Total / (double)all * Width;
        }
        html.Append("</svg>\n");
    }

    static void Draw(StringBuilder html, Node n, long all, double x, double y)
    {
        double w = n.Total / (double)all * Width;
        if (w < 0.5) return;
        Frame(html, n.Function, n.File, n.Total, n.Allocs, all, x, y, w);
        foreach (var c in n.Children.OrderByDescending(c => c.Total).ThenBy(c => c.Id))
        {
            Draw(html, c, all, x, y - RowHeight);
            x += c.Total / (double)all * Width;
        }
    }

    static void Frame(StringBuilder html, string function, string file, long bytes, long allocs, long all, double x, double y, double w = Width)
    {
        string name = file.Length == 0 ? function : $"{function} ({file})";
        // The two lines of the tooltip are encoded apart: the encoder would show the newline between them as \x0a.
        string tip = HtmlText.Encode(name) + "&#10;" +
                     HtmlText.Encode($"{HtmlText.Bytes(bytes)} requested in {HtmlText.Number(allocs)} allocations, {100.0 * bytes / all:0.##}% of all");
        int hue = (int)(name.Aggregate(17u, (h, c) => unchecked(h * 31 + c)) % 40);
        html.Append($"<g><title>{tip}</title><rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(RowHeight - 1)}\" fill=\"hsl({10 + hue},75%,{60 + hue % 15}%)\"/>");
        int fits = (int)((w - 6) / CharWidth);
        if (fits >= 3)
        {
            string label = name.Length <= fits ? name : name[..(fits - 1)] + "…";
            html.Append($"<text x=\"{F(x + 3)}\" y=\"{F(y + 13)}\">{HtmlText.Encode(label)}</text>");
        }
        html.Append("</g>\n");
    }

    static int Depth(List<Node> nodes) => nodes.Count == 0 ? 0 : 1 + nodes.Max(n => Depth(n.Children));

    static long Long(ReportTable t, object?[] r, string column) => Convert.ToInt64(r[t.IndexOf(column)] ?? 0L);

    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
