using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// RFC 4180 CSV with a header row, via CsvHelper. A text cell that a spreadsheet would run as a formula (OWASP's CSV
/// injection: it starts with =, +, -, @, a tab or a carriage return, and is not a number) gets a leading single quote.
/// On a terminal (<paramref name="forTerminal"/>) control characters are made visible as in the table.
/// </summary>
public sealed partial class CsvRenderer(bool forTerminal = false) : IRenderer
{
    public void Render(ReportTable table, TextWriter output)
    {
        using var csv = new CsvWriter(output, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var c in table.Columns) csv.WriteField(Text(c.Name));
        csv.NextRecord();
        foreach (var row in table.Rows)
        {
            foreach (var v in row) csv.WriteField(v switch { null => "", bool b => b ? "true" : "false", byte[] bytes => Convert.ToHexString(bytes), System.Collections.IEnumerable and not string => Nested(v), string s => Text(s), _ => Convert.ToString(v, CultureInfo.InvariantCulture) });
            csv.NextRecord();
        }
    }

    string Text(string s) => Inert(forTerminal ? TerminalText.Visible(s) : s);

    /// <summary>The text as a spreadsheet will show it rather than run it: "'=HYPERLINK(...)"; "-12" and "+1.5" stay numbers.</summary>
    public static string Inert(string s) =>
        s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !Number().IsMatch(s) ? "'" + s : s;

    [GeneratedRegex(@"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex Number();

    /// <summary>A nested object or list (summary's notices) goes in one field as compact JSON.</summary>
    static string Nested(object value) => JsonRenderer.Compact(value);
}
