using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>How the report is written: the log's full path is shown only when asked (it would land in a public ticket).</summary>
public sealed record HtmlReportOptions(bool FullPath = false);

/// <summary>
/// The one-file HTML report: inline stylesheet and script, figures as inline SVG, no network reference. A Content
/// Security Policy lets only the page's own script (by hash) run and loads nothing from anywhere. Everything from the
/// log is HTML-escaped. Figures come from the caller (id → SVG): this writer draws no chart itself. The verdict comes
/// first; details and provenance last.
/// </summary>
public static class HtmlReportWriter
{
    public static string Render(TraceReportData data, IReadOnlyDictionary<string, string> figures, HtmlReportOptions? options = null)
    {
        options ??= new HtmlReportOptions();
        string css = Resource("report.css"), js = Resource("report.js");
        string scriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(js)));
        var html = new StringBuilder(1 << 20);
        string name = HtmlText.Encode(data.Trace.Label);
        long pids = data.Pids.Rows.Count;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{scriptHash}'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append($"<title>pmanalyze report: {name}</title>\n<style>\n{css}</style>\n</head>\n<body>\n")
            .Append($"<header><h1>Memory report: {name}</h1><p>trace {data.Trace.Id} · {HtmlText.Count(data.Trace.Lines, "line", "lines")} · {HtmlText.Count(data.Trace.Events, "memory event", "memory events")}")
            .Append(pids > 1 ? $" · {pids} processes" : "")
            .Append(data.Comparison is { } c ? $" · compared with trace {c.Base.Id} ({HtmlText.Encode(c.Base.Label)})" : "")
            .Append("</p></header>\n");
        Nav(html, data);
        html.Append("<main>\n");
        Section(html, "verdict", "Verdict", () => Verdict.Write(html, data));
        if (pids > 1)
            Section(html, "processes", $"{pids} processes, each on its own", () =>
            {
                html.Append($"<p class=\"note\">This trace holds the memory events of {pids} processes. The verdict and the totals add them up; each process's own peak (its blocks alone) and what it never freed:</p>\n");
                HtmlTable.Write(html, "t-pids", data.Pids);
            });
        if (data.Comparison is { } comparison)
            Section(html, "compare", $"Against trace {comparison.Base.Id} ({comparison.Base.Label})", () => ComparisonSection.Write(html, comparison));
        Section(html, "leaks", "Leaks: blocks never freed", () =>
        {
            Figure(html, figures, "leaks");
            Part(html, data.Part("leaks"), "By allocating site");
            BlockSections.LeaksByStack(html, data);
            Part(html, data.Part("blocks"), "Each unfreed block");
        });
        Section(html, "growth", "Growth suspects: which sites keep growing", () => BlockSections.Growth(html, data));
        if (data.Flame.Count > 0)
            Section(html, "flame", "Flame graph of the Python call stacks", () =>
            {
                html.Append("<p class=\"note\">Outermost frames at the top, each frame as wide as its weight in it and in what it called. Click a frame to zoom into it (click the top bar to zoom out), search to highlight frames, turn it upside down to see which callers lead to the innermost frames. Hover for exact bytes.</p>\n");
                FlameGraph.Write(html, data.Flame);
            });
        Section(html, "peak", "What was live at the peak", () => BlockSections.Peak(html, data));
        Section(html, "timeline", "Live memory over time", () =>
        {
            Figure(html, figures, "timeline");
            html.Append($"<p class=\"note\">{HtmlText.Count(data.Timeline.Rows.Count, "point", "points")} of {HtmlText.Count(data.Trace.Events, "event", "events")}: the events are split into equal runs and each run's highest and lowest live total is kept, so the peak and the shape survive.</p>\n");
            BlockSections.SiteTimeline(html, data, id => Figure(html, figures, id));
            html.Append("<details><summary>Timeline points</summary>\n");
            HtmlTable.Write(html, "t-timeline", data.Timeline);
            html.Append("</details>\n");
        });
        Section(html, "functions", "Per function", () =>
        {
            Figure(html, figures, "functions");
            Part(html, data.Part("functions"), null);
        });
        Section(html, "sizes", "Allocation sizes", () =>
        {
            Figure(html, figures, "sizes");
            Part(html, data.Part("sizes"), null);
        });
        Section(html, "reallocs", "Realloc chains", () => Part(html, data.Part("reallocs"), null));
        Section(html, "temporary", "Temporary allocations", () =>
        {
            html.Append("<p class=\"note\">A block freed by the very next memory event of the same pid (heaptrack's definition); percent is the share of the site's allocations.</p>\n");
            Part(html, data.Part("temporary"), null);
        });
        Section(html, "warnings", "Can the numbers be trusted: warnings and notices", () =>
        {
            var warnings = data.Part("warnings").Table;
            if (warnings.Rows.Count == 0) html.Append("<p class=\"note\">No missed or unknown frees, no DTrace drop notices, no unparsed lines; the log was read whole.</p>\n");
            else foreach (var w in warnings.Rows)
                html.Append($"<p class=\"warn\"><b>{HtmlText.Encode((string)w[0]!)}: {HtmlText.Number((long)w[1]!)}</b> — {HtmlText.Encode((string)w[2]!)}</p>\n");
            Part(html, data.Part("notices"), "DTrace notices");
            Part(html, data.Part("unparsed"), "Unparsed lines");
        });
        Section(html, "details", "Details and provenance", () =>
        {
            html.Append("<h3>Totals</h3>\n");
            HtmlTable.WriteFacts(html, data.Summary);
            html.Append("<h3>The log and its import</h3>\n");
            HtmlTable.WriteFacts(html, options.FullPath ? data.Import : WithoutPath(data.Import));
            if (!options.FullPath)
                html.Append("<p class=\"note\">The log's folder is left out (this report may be shared); <code>pmanalyze report --full-path</code> shows it.</p>\n");
        });
        html.Append("<pre id=\"selftest\"></pre>\n</main>\n")
            .Append($"<script>{js}</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The import facts with the source reduced to its file name.</summary>
    static ReportTable WithoutPath(ReportTable import)
    {
        int source = import.IndexOf("source");
        return import with
        {
            Rows = import.Rows.Select(r =>
            {
                var copy = (object?[])r.Clone();
                if (copy[source] is string path && path != "-") copy[source] = Path.GetFileName(path);
                return copy;
            }).ToList(),
        };
    }

    static void Nav(StringBuilder html, TraceReportData data)
    {
        html.Append("<nav><a href=\"#verdict\">Verdict</a>");
        if (data.Pids.Rows.Count > 1) html.Append("<a href=\"#processes\">Processes</a>");
        if (data.Comparison is not null) html.Append("<a href=\"#compare\">Comparison</a>");
        html.Append("<a href=\"#leaks\">Leaks</a>");
        html.Append("<a href=\"#growth\">Growth</a>");
        if (data.Flame.Count > 0) html.Append("<a href=\"#flame\">Flame graph</a>");
        foreach (var (id, label) in new[] { ("peak", "Peak"), ("timeline", "Timeline"), ("functions", "Functions"), ("sizes", "Sizes"), ("reallocs", "Reallocs"),
                     ("temporary", "Temporary"), ("warnings", "Warnings"), ("details", "Details") })
            html.Append($"<a href=\"#{id}\">{label}</a>");
        html.Append("</nav>\n");
    }

    internal static void Section(StringBuilder html, string id, string title, Action body)
    {
        html.Append($"<section id=\"{id}\">\n<h2>{HtmlText.Encode(title)}</h2>\n");
        body();
        html.Append("</section>\n");
    }

    static void Part(StringBuilder html, ReportPart part, string? heading)
    {
        if (heading is not null) html.Append($"<h3>{HtmlText.Encode(heading)}</h3>\n");
        if (part.Truncated)
            html.Append($"<p class=\"note\">The first {HtmlText.Number(part.Table.Rows.Count)} of {HtmlText.Count(part.TotalRows, "row", "rows")}; all of them: <code>{HtmlText.Encode(part.FullCommand)}</code></p>\n");
        HtmlTable.Write(html, "t-" + part.Id, part.Table);
    }

    static readonly Regex XmlDeclaration = new(@"^\s*<\?xml[^>]*\?>\s*", RegexOptions.Compiled);
    static readonly Regex SvgIds = new(@"(\bid=""|url\(#|href=""#)([^""()]+)", RegexOptions.Compiled);
    static readonly Regex SvgSize = new(@"^<svg\b([^>]*?)\swidth=""(\d+(?:\.\d+)?)""\s+height=""(\d+(?:\.\d+)?)""", RegexOptions.Compiled);

    /// <summary>
    /// An SVG figure inline, without its XML declaration, its ids prefixed so that figures cannot share one, and scaled
    /// to the page: a viewBox of its drawn size, as wide as the page allows and never wider than drawn.
    /// </summary>
    static void Figure(StringBuilder html, IReadOnlyDictionary<string, string> figures, string id)
    {
        if (!figures.TryGetValue(id, out var svg)) return;
        svg = SvgIds.Replace(XmlDeclaration.Replace(svg, ""), m => $"{m.Groups[1].Value}fig-{id}-{m.Groups[2].Value}");
        svg = SvgSize.Replace(svg, m => m.Groups[1].Value.Contains("viewBox")
            ? $"<svg{m.Groups[1].Value} width=\"100%\" style=\"max-width:{m.Groups[2].Value}px;height:auto\""
            : $"<svg{m.Groups[1].Value} viewBox=\"0 0 {m.Groups[2].Value} {m.Groups[3].Value}\" width=\"100%\" style=\"max-width:{m.Groups[2].Value}px;height:auto\"");
        html.Append($"<figure id=\"fig-{id}\">").Append(svg).Append("</figure>\n");
    }

    static string Resource(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("PyMemTrace.Reports." + name)
                      ?? throw new InvalidOperationException(name + " is not embedded");
        return new StreamReader(s).ReadToEnd();
    }
}
