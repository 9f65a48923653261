using System.Globalization;
using System.Text;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// A report table as an HTML table that sorts (click a header) and filters (type in the box) in the browser. Sorting
/// reads each cell's exact value (data-v); byte columns show the exact count with the rounded reading beside it.
/// </summary>
internal static class HtmlTable
{
    /// <summary>Rows shown before "Show all": a long table opens collapsed to its first rows.</summary>
    public const int ShownRows = 15;

    public static void Write(StringBuilder html, string id, ReportTable table)
    {
        if (table.Rows.Count == 0)
        {
            html.Append("<p class=\"note\">(none)</p>\n");
            return;
        }
        bool collapsed = table.Rows.Count > ShownRows + 5;
        html.Append($"<div class=\"tools\"><input class=\"filter\" type=\"search\" placeholder=\"Filter rows…\" data-for=\"{id}\" aria-label=\"Filter {HtmlText.Encode(table.Title)}\">")
            .Append($"<span class=\"count\" data-for=\"{id}\">{HtmlText.Count(table.Rows.Count, "row", "rows")}</span></div>\n");
        html.Append($"<div class=\"scroll\"><table class=\"data{(collapsed ? " collapsed" : "")}\" id=\"{id}\"><thead><tr>");
        foreach (var c in table.Columns)
            html.Append(IsNumeric(c) ? "<th data-type=\"num\">" : "<th>").Append(HtmlText.Encode(c.Name)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < table.Rows.Count; r++)
        {
            html.Append(collapsed && r >= ShownRows ? "<tr class=\"more\">" : "<tr>");
            for (int i = 0; i < table.Columns.Count; i++) Cell(html, table.Columns[i], table.Rows[r][i]);
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table></div>\n");
        if (collapsed)
            html.Append($"<button type=\"button\" class=\"show-all\" data-for=\"{id}\">Show all {HtmlText.Number(table.Rows.Count)} rows</button>\n");
    }

    /// <summary>A single-row report (summary, import facts) as a grid of name/value boxes.</summary>
    public static void WriteFacts(StringBuilder html, ReportTable table)
    {
        var row = table.Rows.Count > 0 ? table.Rows[0] : new object?[table.Columns.Count];
        html.Append("<div class=\"facts\">\n");
        for (int i = 0; i < table.Columns.Count; i++)
        {
            string value = row[i] switch
            {
                null => "—",
                long n when IsBytes(table.Columns[i].Name) => HtmlText.Bytes(n),
                long n when IsIdentifier(table.Columns[i].Name) => n.ToString(CultureInfo.InvariantCulture),
                long n => HtmlText.Number(n),
                bool b => b ? "yes" : "no",
                System.Collections.IEnumerable nested and not string => HtmlText.Encode(TextTableRenderer.Cell(nested)),
                var v => HtmlText.Encode(Convert.ToString(v, CultureInfo.InvariantCulture)),
            };
            html.Append($"<div class=\"fact\" data-name=\"{HtmlText.Encode(table.Columns[i].Name)}\"><span class=\"k\">{HtmlText.Encode(table.Columns[i].Name)}</span><span class=\"v\">{value}</span></div>\n");
        }
        html.Append("</div>\n");
    }

    static void Cell(StringBuilder html, ReportColumn column, object? value)
    {
        switch (value)
        {
            case null: html.Append("<td></td>"); break;
            case bool b: html.Append($"<td data-v=\"{(b ? 1 : 0)}\">{(b ? "yes" : "no")}</td>"); break;
            case long n when IsBytes(column.Name) && Math.Abs(n) >= 1024:
                html.Append($"<td class=\"num\" data-v=\"{n}\">{HtmlText.Number(n)} <small>{HtmlText.Human(n)}</small></td>"); break;
            case long n when IsIdentifier(column.Name): html.Append($"<td class=\"num\" data-v=\"{n}\">{n}</td>"); break;
            case long n: html.Append($"<td class=\"num\" data-v=\"{n}\">{HtmlText.Number(n)}</td>"); break;
            case double d: html.Append($"<td class=\"num\" data-v=\"{d.ToString("R", CultureInfo.InvariantCulture)}\">{d.ToString("0.0", CultureInfo.InvariantCulture)}</td>"); break;
            case System.Collections.IEnumerable nested and not string:
                html.Append("<td class=\"text\">").Append(HtmlText.Encode(TextTableRenderer.Cell(nested))).Append("</td>"); break;
            default: html.Append("<td class=\"text\">").Append(HtmlText.Encode(Convert.ToString(value, CultureInfo.InvariantCulture))).Append("</td>"); break;
        }
    }

    static bool IsNumeric(ReportColumn c) => c.Type is ColumnType.Integer or ColumnType.Real or ColumnType.Bool;

    /// <summary>Columns that name a thing by number (pid, log line, event number, id): no thousands separators.</summary>
    public static bool IsIdentifier(string column) =>
        column is "pid" or "line" or "event" or "trace" or "id" or "depth" || column.EndsWith("_line") || column.EndsWith("_event") || column.EndsWith("_id");

    /// <summary>Columns that hold byte counts, by the naming of the reports: bytes, *_bytes, size, *_size, max_alloc.</summary>
    public static bool IsBytes(string column) =>
        column.Contains("bytes") || column == "size" || column.EndsWith("_size") || column == "max_alloc";
}
