using System.Text;
using System.Text.Json;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// The interactive flame graph: its controls, and its stacks as JSON data inside the page (a script element of type
/// application/json, which never runs) that report.js draws: click a frame to zoom, search to highlight, inverted view,
/// one weight at a time. Frame names are a string table, each stack a list of indices into it.
/// </summary>
internal static class FlameGraph
{
    public static void Write(StringBuilder html, IReadOnlyList<FlameWeight> weights)
    {
        html.Append("<div class=\"flame\" id=\"flame-graph\">\n<div class=\"flame-tools\">")
            .Append("<label>Weight <select id=\"flame-weight\">");
        foreach (var w in weights)
            html.Append($"<option value=\"{HtmlText.Encode(w.Id)}\">{HtmlText.Encode(w.Label)}</option>");
        html.Append("</select></label>")
            .Append("<label><input type=\"checkbox\" id=\"flame-invert\"> inverted (innermost frames on top)</label>")
            .Append("<input type=\"search\" id=\"flame-search\" placeholder=\"Search frames…\" aria-label=\"Search frames\">")
            .Append("<button type=\"button\" id=\"flame-reset\">Reset zoom</button></div>\n")
            .Append("<p class=\"note\" id=\"flame-status\">The flame graph needs JavaScript.</p>\n")
            .Append("<div class=\"flame-chart\" id=\"flame-chart\"></div>\n<div class=\"flame-tip\" id=\"flame-tip\" hidden></div>\n</div>\n");
        html.Append("<script type=\"application/json\" id=\"flame-data\">").Append(Json(weights)).Append("</script>\n");
    }

    /// <summary>The weights as JSON; the default encoder escapes &lt;, &gt; and &amp;, so no text can close the script element.</summary>
    static string Json(IReadOnlyList<FlameWeight> weights)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        int Name(string n)
        {
            if (!names.TryGetValue(n, out int i)) names[n] = i = names.Count;
            return i;
        }
        var data = weights.Select(w => new
        {
            id = w.Id,
            label = w.Label,
            count = w.CountName,
            explain = w.Explanation,
            totalStacks = w.TotalStacks,
            stacks = w.Stacks.Select(s => new object[] { s.Bytes, s.Count, s.Frames.Select(Name).ToArray() }).ToList(),
        }).ToList();
        return JsonSerializer.Serialize(new { names = names.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToList(), weights = data });
    }
}
