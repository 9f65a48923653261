using System.Text;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>report --base: the totals before and after, then the sites that grew, appeared or vanished; unchanged ones folded away.</summary>
internal static class ComparisonSection
{
    public static void Write(StringBuilder html, TraceComparison c)
    {
        html.Append("<div class=\"scroll\"><table class=\"compare\" id=\"t-compare-totals\"><thead><tr><th></th><th>base (trace ")
            .Append($"{c.Base.Id})</th><th>this trace</th><th>change</th></tr></thead><tbody>\n");
        Row(html, "never freed", c.Before.Bytes_Outstanding, c.After.Bytes_Outstanding, bytes: true);
        Row(html, "blocks never freed", c.Before.Leaked_Blocks, c.After.Leaked_Blocks, bytes: false);
        Row(html, "peak", c.Before.Peak_Bytes, c.After.Peak_Bytes, bytes: true);
        Row(html, "requested", c.Before.Bytes_Allocated, c.After.Bytes_Allocated, bytes: true);
        html.Append("</tbody></table></div>\n");
        long Status(string s) => c.ByStatus.GetValueOrDefault(s);
        html.Append($"<p id=\"compare-counts\">Per site: {HtmlText.Count(Status("changed"), "site changed", "sites changed")}, {HtmlText.Count(Status("new"), "new site", "new sites")}, ")
            .Append($"{HtmlText.Count(Status("vanished"), "site vanished", "sites vanished")}, {HtmlText.Count(Status("unchanged"), "unchanged site", "unchanged sites")} (folded away below). Largest growth of leaked bytes first.</p>\n");
        if (c.ChangedTotal > c.Changed.Rows.Count)
            html.Append($"<p class=\"note\">The first {HtmlText.Number(c.Changed.Rows.Count)} of {HtmlText.Count(c.ChangedTotal, "site", "sites")}; all of them: <code>pmanalyze diff --base {c.Base.Id}</code></p>\n");
        HtmlTable.Write(html, "t-compare", c.Changed);
        if (c.UnchangedTotal > 0)
        {
            html.Append($"<details><summary>{HtmlText.Count(c.UnchangedTotal, "unchanged site", "unchanged sites")}</summary>\n");
            HtmlTable.Write(html, "t-unchanged", c.Unchanged);
            html.Append("</details>\n");
        }
    }

    static void Row(StringBuilder html, string what, long before, long after, bool bytes)
    {
        string F(long v) => bytes ? HtmlText.Reading(v) : HtmlText.Number(v);
        long delta = after - before;
        string change = delta == 0 ? "unchanged" : (delta > 0 ? "+" : "−") + F(Math.Abs(delta)) + (before > 0 ? $" ({(delta > 0 ? "+" : "−")}{HtmlText.Percent(Math.Abs(delta) / (double)before)})" : "");
        html.Append($"<tr><th>{what}</th><td class=\"num\">{F(before)}</td><td class=\"num\">{F(after)}</td><td class=\"num{(delta > 0 ? " grew" : "")}\">{change}</td></tr>\n");
    }
}
