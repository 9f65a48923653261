using System.Globalization;
using System.Text;

namespace PyMemTrace.Reports.Rendering;

/// <summary>An aligned plain-text table for the terminal; numbers right-aligned, control characters made visible.</summary>
public sealed class TextTableRenderer : IRenderer
{
    public void Render(ReportTable table, TextWriter output)
    {
        if (table.AsObject) RenderObject(table, output);
        else RenderRows(table, output);
    }

    static void RenderObject(ReportTable table, TextWriter output)
    {
        var row = table.Rows.Count > 0 ? table.Rows[0] : new object?[table.Columns.Count];
        int width = table.Columns.Max(c => c.Name.Length);
        for (int i = 0; i < table.Columns.Count; i++)
            output.WriteLine($"{table.Columns[i].Name.PadRight(width)}  {Cell(row[i])}");
    }

    static void RenderRows(ReportTable table, TextWriter output)
    {
        var cells = table.Rows.Select(r => r.Select(Cell).ToArray()).ToList();
        var widths = table.Columns.Select((c, i) => Math.Max(c.Name.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        bool[] right = table.Columns.Select(c => c.Type is ColumnType.Integer or ColumnType.Real).ToArray();
        output.WriteLine(Line(table.Columns.Select(c => c.Name).ToArray(), widths, right));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in cells) output.WriteLine(Line(r, widths, right));
        if (cells.Count == 0) output.WriteLine("(no rows)");
    }

    static string Line(string[] values, int[] widths, bool[] right) =>
        string.Join("  ", values.Select((v, i) => right[i] ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd();

    /// <summary>A value as plain text; nested objects (summary's notices) as "key: value, ...", or "none" when empty.</summary>
    internal static string Cell(object? value) => value switch
    {
        null => "",
        bool b => b ? "yes" : "no",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        System.Collections.IDictionary { Count: 0 } => "none",
        System.Collections.IDictionary map => string.Join(", ", Entries(map).Select(e => $"{e.Key}: {Cell(e.Value)}")),
        System.Collections.IEnumerable list and not string => string.Join(", ", list.Cast<object?>().Select(Cell)),
        _ => Visible(value.ToString() ?? ""),
    };

    static IEnumerable<System.Collections.DictionaryEntry> Entries(System.Collections.IDictionary map)
    {
        foreach (System.Collections.DictionaryEntry e in map) yield return e;
    }

    /// <summary>A terminal must not interpret bytes from a log: control characters are shown as \xNN.</summary>
    static string Visible(string s)
    {
        if (!s.Any(char.IsControl)) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s) sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return sb.ToString();
    }
}
