using System.Globalization;
using CsvHelper;

namespace PyMemTrace.Reports.Rendering;

/// <summary>RFC 4180 CSV with a header row, via CsvHelper.</summary>
public sealed class CsvRenderer : IRenderer
{
    public void Render(ReportTable table, TextWriter output)
    {
        using var csv = new CsvWriter(output, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var c in table.Columns) csv.WriteField(c.Name);
        csv.NextRecord();
        foreach (var row in table.Rows)
        {
            foreach (var v in row) csv.WriteField(v switch { null => "", bool b => b ? "true" : "false", byte[] bytes => Convert.ToHexString(bytes), System.Collections.IEnumerable and not string => Nested(v), _ => Convert.ToString(v, CultureInfo.InvariantCulture) });
            csv.NextRecord();
        }
    }

    /// <summary>A nested object or list (summary's notices) goes in one field as compact JSON.</summary>
    static string Nested(object value) => JsonRenderer.Compact(value);
}
