using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// The one-file HTML report: inline stylesheet and script, figures as inline SVG, no network reference. A Content
/// Security Policy lets only the page's own script (by hash) run and loads nothing from anywhere. Everything from the
/// log is HTML-escaped. Figures come from the caller (id → SVG): this writer draws no chart itself.
/// </summary>
public static class HtmlReportWriter
{
    public static string Render(TraceReportData data, IReadOnlyDictionary<string, string> figures)
    {
        string css = Resource("report.css"), js = Resource("report.js");
        string scriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(js)));
        var html = new StringBuilder(1 << 20);
        string name = HtmlText.Encode(data.Trace.Name);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{scriptHash}'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append($"<title>pmanalyze report: {name}</title>\n<style>\n{css}</style>\n</head>\n<body>\n")
            .Append($"<header><h1>Memory report: {name}</h1><p>trace {data.Trace.Id} · {HtmlText.Number(data.Trace.Lines)} lines · {HtmlText.Number(data.Trace.Events)} memory events · imported {HtmlText.Encode(data.Trace.Imported_At)}</p></header>\n");
        Nav(html, data);
        html.Append("<main>\n");
        Section(html, "overview", "Overview", () =>
        {
            html.Append($"<p class=\"headline\" id=\"headline\">{Headline(data)}</p>\n");
            HtmlTable.WriteFacts(html, data.Summary);
            html.Append("<h3>Import</h3>\n");
            HtmlTable.WriteFacts(html, data.Import);
        });
        Section(html, "warnings", "Warnings and notices", () =>
        {
            var warnings = data.Part("warnings").Table;
            if (warnings.Rows.Count == 0) html.Append("<p class=\"note\">No missed or unknown frees, no DTrace drop notices, no unparsed lines.</p>\n");
            else foreach (var w in warnings.Rows)
                html.Append($"<p class=\"warn\"><b>{HtmlText.Encode((string)w[0]!)}: {HtmlText.Number((long)w[1]!)}</b> — {HtmlText.Encode((string)w[2]!)}</p>\n");
            Part(html, data.Part("notices"), "DTrace notices");
            Part(html, data.Part("unparsed"), "Unparsed lines");
        });
        Section(html, "timeline", "Live memory over time", () =>
        {
            Figure(html, figures, "timeline");
            html.Append($"<p class=\"note\">{HtmlText.Number(data.Timeline.Rows.Count)} points of {HtmlText.Number(data.Trace.Events)} events: the events are split into equal runs and each run's highest and lowest live total is kept, so the peak and the shape survive.</p>\n");
            html.Append("<details><summary>Timeline points</summary>\n");
            HtmlTable.Write(html, "t-timeline", data.Timeline);
            html.Append("</details>\n");
        });
        Section(html, "leaks", "Leaks: blocks never freed", () =>
        {
            Figure(html, figures, "leaks");
            Part(html, data.Part("leaks"), "By allocating site");
            Part(html, data.Part("blocks"), "Each unfreed block");
        });
        Section(html, "functions", "Per function", () =>
        {
            Figure(html, figures, "functions");
            Part(html, data.Part("functions"), null);
        });
        Section(html, "reallocs", "Realloc chains", () => Part(html, data.Part("reallocs"), null));
        Section(html, "sizes", "Allocation sizes", () =>
        {
            Figure(html, figures, "sizes");
            Part(html, data.Part("sizes"), null);
        });
        Section(html, "temporary", "Temporary allocations", () =>
        {
            html.Append("<p class=\"note\">A block freed by the very next memory event of the same pid (heaptrack's definition); percent is the share of the site's allocations.</p>\n");
            Part(html, data.Part("temporary"), null);
        });
        if (data.Stacks is { } stacks)
            Section(html, "flame", "Flame graph of bytes requested per call stack", () =>
            {
                html.Append("<p class=\"note\">Outermost frames at the bottom; a frame's width is the bytes requested (malloc, calloc, realloc) in it and in what it called. Hover for exact bytes.");
                if (stacks.Rows.Count >= TraceReportData.MaxStackNodes)
                    html.Append($" Only the {HtmlText.Number(stacks.Rows.Count)} largest frames are drawn (all of them: <code>pmanalyze query \"SELECT * FROM stack_bytes WHERE trace_id = {data.Trace.Id}\"</code>).");
                html.Append("</p>\n");
                html.Append("<figure>");
                FlameGraph.Write(html, stacks);
                html.Append("</figure>\n");
            });
        html.Append("<pre id=\"selftest\"></pre>\n</main>\n")
            .Append($"<script>{js}</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    static string Headline(TraceReportData data)
    {
        var s = data.Summary;
        long Get(string c) => s.Rows.Count == 0 ? 0 : Convert.ToInt64(s.Rows[0][s.IndexOf(c)] ?? 0L);
        var text = new StringBuilder();
        text.Append($"Peak <b id=\"peak-bytes\" data-v=\"{Get("peak_bytes")}\">{HtmlText.Bytes(Get("peak_bytes"))}</b> live");
        if (Get("peak_event") > 0) text.Append($" after event <b id=\"peak-event\">{HtmlText.Number(Get("peak_event"))}</b> (log line <b id=\"peak-line\">{HtmlText.Number(Get("peak_line"))}</b>)");
        text.Append($"; <b>{HtmlText.Bytes(Get("bytes_outstanding"))}</b> never freed in {HtmlText.Number(Get("leaked_blocks"))} blocks");
        var leaks = data.Part("leaks").Table;
        if (leaks.Rows.Count > 0)
        {
            var top = leaks.Rows[0];
            text.Append($"; top leak site <b id=\"top-leak\">{HtmlText.Encode($"{top[leaks.IndexOf("file")]}:{top[leaks.IndexOf("line")]} {top[leaks.IndexOf("function")]}")}</b>")
                .Append($" ({HtmlText.Bytes(Convert.ToInt64(top[leaks.IndexOf("bytes")]))} in {HtmlText.Number(Convert.ToInt64(top[leaks.IndexOf("count")]))} blocks)");
        }
        return text.Append('.').ToString();
    }

    static void Nav(StringBuilder html, TraceReportData data)
    {
        html.Append("<nav>");
        foreach (var (id, label) in new[] { ("overview", "Overview"), ("warnings", "Warnings"), ("timeline", "Timeline"), ("leaks", "Leaks"),
                     ("functions", "Functions"), ("reallocs", "Reallocs"), ("sizes", "Sizes"), ("temporary", "Temporary") })
            html.Append($"<a href=\"#{id}\">{label}</a>");
        if (data.Stacks is not null) html.Append("<a href=\"#flame\">Flame graph</a>");
        html.Append("</nav>\n");
    }

    static void Section(StringBuilder html, string id, string title, Action body)
    {
        html.Append($"<section id=\"{id}\">\n<h2>{HtmlText.Encode(title)}</h2>\n");
        body();
        html.Append("</section>\n");
    }

    static void Part(StringBuilder html, ReportPart part, string? heading)
    {
        if (heading is not null) html.Append($"<h3>{HtmlText.Encode(heading)}</h3>\n");
        if (part.Truncated)
            html.Append($"<p class=\"note\">The first {HtmlText.Number(part.Table.Rows.Count)} of {HtmlText.Number(part.TotalRows)} rows; all of them: <code>{HtmlText.Encode(part.FullCommand)}</code></p>\n");
        HtmlTable.Write(html, "t-" + part.Id, part.Table);
    }

    static readonly Regex XmlDeclaration = new(@"^\s*<\?xml[^>]*\?>\s*", RegexOptions.Compiled);
    static readonly Regex SvgIds = new(@"(\bid=""|url\(#|href=""#)([^""()]+)", RegexOptions.Compiled);

    /// <summary>An SVG figure inline, without its XML declaration, its ids prefixed so that figures cannot share one.</summary>
    static void Figure(StringBuilder html, IReadOnlyDictionary<string, string> figures, string id)
    {
        if (!figures.TryGetValue(id, out var svg)) return;
        svg = SvgIds.Replace(XmlDeclaration.Replace(svg, ""), m => $"{m.Groups[1].Value}fig-{id}-{m.Groups[2].Value}");
        html.Append($"<figure id=\"fig-{id}\">").Append(svg).Append("</figure>\n");
    }

    static string Resource(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("PyMemTrace.Reports." + name)
                      ?? throw new InvalidOperationException(name + " is not embedded");
        return new StreamReader(s).ReadToEnd();
    }
}
