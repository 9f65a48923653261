using System.Globalization;
using System.Text;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// A report table as an HTML table that sorts (click a header) and filters (type in the box) in the browser. Sorting
/// reads each cell's exact value (data-v); byte columns show the exact count with the rounded reading beside it.
/// </summary>
internal static class HtmlTable
{
    public static void Write(StringBuilder html, string id, ReportTable table)
    {
        if (table.Rows.Count == 0)
        {
            html.Append("<p class=\"note\">(none)</p>\n");
            return;
        }
        html.Append($"<div class=\"tools\"><input class=\"filter\" type=\"search\" placeholder=\"Filter rows…\" data-for=\"{id}\" aria-label=\"Filter {HtmlText.Encode(table.Title)}\">")
            .Append($"<span class=\"count\" data-for=\"{id}\">{table.Rows.Count} rows</span></div>\n");
        html.Append($"<table class=\"data\" id=\"{id}\"><thead><tr>");
        foreach (var c in table.Columns)
            html.Append(IsNumeric(c) ? "<th data-type=\"num\">" : "<th>").Append(HtmlText.Encode(c.Name)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int i = 0; i < table.Columns.Count; i++) Cell(html, table.Columns[i], row[i]);
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
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
                html.Append($"<td class=\"num\" data-v=\"{n}\">{HtmlText.Number(n)} <small>{ByteUnits.Format(n)}</small></td>"); break;
            case long n: html.Append($"<td class=\"num\" data-v=\"{n}\">{HtmlText.Number(n)}</td>"); break;
            case double d: html.Append($"<td class=\"num\" data-v=\"{d.ToString("R", CultureInfo.InvariantCulture)}\">{d.ToString("0.##", CultureInfo.InvariantCulture)}</td>"); break;
            case System.Collections.IEnumerable nested and not string:
                html.Append("<td class=\"text\">").Append(HtmlText.Encode(TextTableRenderer.Cell(nested))).Append("</td>"); break;
            default: html.Append("<td class=\"text\">").Append(HtmlText.Encode(Convert.ToString(value, CultureInfo.InvariantCulture))).Append("</td>"); break;
        }
    }

    static bool IsNumeric(ReportColumn c) => c.Type is ColumnType.Integer or ColumnType.Real or ColumnType.Bool;

    /// <summary>Columns that hold byte counts, by the naming of the reports: bytes, *_bytes, size, *_size, max_alloc.</summary>
    public static bool IsBytes(string column) =>
        column.Contains("bytes") || column == "size" || column.EndsWith("_size") || column == "max_alloc";
}
