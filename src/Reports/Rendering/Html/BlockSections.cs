using System.Globalization;
using System.Text;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// The report's parts of issue 13: leaks by call stack, the growth ranking of leak suspects (with its measure), what
/// was live at the peak (its moment, by site and by stack), and the biggest sites' live bytes over time. Each table is
/// cut to its first rows (the rest summed, or counted with the command that lists them) so the page stays bounded.
/// </summary>
internal static class BlockSections
{
    public static void LeaksByStack(StringBuilder html, TraceReportData data)
    {
        var b = data.Blocks;
        if (!HasStacks(data)) return;
        html.Append("<h3>By call stack</h3>\n<p class=\"note\">Bytes never freed by the full Python call stack of the (re)allocation that made each block, root first, the allocating line as the last frame; they add up to what leaked.")
            .Append(Cut(b.LeakStacks, BlockReportData.StackRows, $"pmanalyze leaks --by stack --trace {data.Trace.Id}")).Append("</p>\n");
        HtmlTable.Write(html, "t-leak-stacks", b.LeaksByStack);
    }

    public static void Growth(StringBuilder html, TraceReportData data)
    {
        var b = data.Blocks;
        html.Append("<p class=\"note\" id=\"growth-measure\"><b>grew</b> counts in how many of the run's equal slices (<b>slices</b>) a site's live bytes rose: a leak grows in most of them and holds about its most (<b>bytes</b> near <b>max_bytes</b>); a cache grows in a few early ones, then stays.")
            .Append(Cut(b.GrowthSites, BlockReportData.GrowthRows, $"pmanalyze leaks --by growth --trace {data.Trace.Id}", summed: false)).Append("</p>\n");
        HtmlTable.Write(html, "t-growth", b.Growth);
    }

    public static void Peak(StringBuilder html, TraceReportData data)
    {
        var b = data.Blocks;
        if (b.Peak is not { } p)
        {
            html.Append("<p class=\"note\">No peak: live bytes never rose above 0.</p>\n");
            return;
        }
        html.Append($"<p id=\"peak-moment\">{HtmlText.Reading(p.Bytes)} in {HtmlText.Count(p.Blocks, "block", "blocks")} live right after event <b>{p.Event}</b> (log line <b>{p.Line}</b>")
            .Append(p.Seconds is { } s ? $", <b id=\"peak-seconds\">{Seconds(s)}</b> after the first time stamp" : "")
            .Append("), the first moment of the peak. What held it, by the site that allocated each block (the rows add up to the peak):</p>\n");
        HtmlTable.Write(html, "t-peak", b.PeakBySite);
        if (!HasStacks(data)) return;
        html.Append("<h3>By call stack</h3>\n<p class=\"note\">The same blocks by the call stack that allocated them.")
            .Append(Cut(b.PeakStacks, BlockReportData.StackRows, $"pmanalyze peak --by stack --trace {data.Trace.Id}")).Append("</p>\n");
        HtmlTable.Write(html, "t-peak-stacks", b.PeakByStack);
    }

    public static void SiteTimeline(StringBuilder html, TraceReportData data, Action<string> figure)
    {
        html.Append("<h3>By allocating site</h3>\n");
        figure("sites");
        int sites = data.Blocks.SiteTimeline.Rows.Select(r => (r[2], r[3], r[4])).Distinct().Count();
        html.Append($"<p class=\"note\">The live bytes of the {HtmlText.Count(sites, "site", "sites")} with the most live bytes at any moment, stacked (heaptrack's \"consumed\" view); each band ends at what that site leaked. All sites: <code>{HtmlText.Encode($"pmanalyze timeline --by site --top 50 --trace {data.Trace.Id}")}</code></p>\n");
    }

    /// <summary>The flame graph's condition: the log has Python call stacks.</summary>
    static bool HasStacks(TraceReportData data) => data.Flame.Count > 0;

    static string Cut(long total, int shown, string command, bool summed = true) => total > shown
        ? $" The first {HtmlText.Number(shown)} of {HtmlText.Number(total)}{(summed ? ", the rest summed in the last row" : "")}; all of them: <code>{HtmlText.Encode(command)}</code>"
        : "";

    public static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture) + " s";
}
