using System.Globalization;
using System.Text;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// An aligned plain-text table for a person at a terminal: byte counts in human units (unless ExactBytes), numbers
/// right-aligned, control characters made visible, and the whole fitted to the terminal's width (ColumnFit): long cells
/// cut with an ellipsis, columns left out when even that is not enough, said under the table.
/// </summary>
public sealed class TextTableRenderer(TableStyle? style = null) : IRenderer
{
    readonly TableStyle _style = style ?? TableStyle.Default;

    public void Render(ReportTable table, TextWriter output)
    {
        if (table.AsObject) RenderObject(table, output);
        else RenderRows(table, output);
        if (table.Note is { } note) WriteWrapped(note, output);
    }

    void RenderObject(ReportTable table, TextWriter output)
    {
        var row = table.Rows.Count > 0 ? table.Rows[0] : new object?[table.Columns.Count];
        int keys = table.Columns.Max(c => c.Name.Length);
        int widest = _style.Width is { } w ? Math.Max(w - keys - ColumnFit.Gap, ColumnFit.Narrowest) : TableStyle.WidestCell;
        for (int i = 0; i < table.Columns.Count; i++)
            output.WriteLine($"{table.Columns[i].Name.PadRight(keys)}  {Fitted(Text(table.Columns[i], row[i]), widest, IsPath(table.Columns[i].Name))}".TrimEnd());
    }

    void RenderRows(ReportTable table, TextWriter output)
    {
        var names = table.Columns.Select(c => TerminalText.Visible(c.Name)).ToArray();
        bool[] path = table.Columns.Select(c => IsPath(c.Name)).ToArray();
        var cells = table.Rows.Select(r => table.Columns.Select((c, i) => Fitted(Text(c, r[i]), TableStyle.WidestCell, path[i])).ToArray()).ToList();
        var header = names.Select(TerminalText.Width).ToArray();
        var natural = names.Select((_, i) => Math.Max(header[i], cells.Count == 0 ? 0 : cells.Max(r => TerminalText.Width(r[i])))).ToArray();
        bool[] right = table.Columns.Select(c => c.Type is ColumnType.Integer or ColumnType.Real).ToArray();
        bool[] cuttable = table.Columns.Select((c, i) => !right[i] && c.Type != ColumnType.Bool).ToArray();
        var layout = ColumnFit.Fit(names, natural, header, cuttable, table.DropFirst, _style.Width);
        output.WriteLine(Line(names, layout, right, path));
        output.WriteLine(string.Join("  ", layout.Shown.Select(i => new string('-', layout.Widths[i]))));
        foreach (var r in cells) output.WriteLine(Line(r, layout, right, path));
        if (cells.Count == 0) output.WriteLine("(no rows)");
        if (layout.LeftOut.Length > 0)
            WriteWrapped($"(left out to fit {_style.Width} columns: {string.Join(", ", layout.LeftOut)}; --format csv has them)", output);
    }

    /// <summary>A value as the table shows it: a byte count in human units, everything else as <see cref="Cell"/>.</summary>
    string Text(ReportColumn column, object? value) =>
        value is long bytes && column.Type == ColumnType.Integer && !_style.ExactBytes && ByteUnits.IsByteColumn(column.Name)
            ? ByteUnits.Aligned(bytes)
            : Cell(value);

    /// <summary>A cell in at most <paramref name="width"/> columns; a file name or path keeps its end (the name, the extension).</summary>
    static string Fitted(string cell, int width, bool path) => TerminalText.Cut(cell, width, keepEnd: path || cell.Contains('/'));

    /// <summary>Columns holding file names, by name: file, source, *_file.</summary>
    static bool IsPath(string column) => column is "file" or "source" || column.EndsWith("_file", StringComparison.Ordinal);

    static string Line(string[] values, ColumnFit.Layout layout, bool[] right, bool[] path) =>
        string.Join("  ", layout.Shown.Select(i => Pad(Fitted(values[i], layout.Widths[i], path[i]), layout.Widths[i], right[i]))).TrimEnd();

    static string Pad(string text, int width, bool right)
    {
        var fill = new string(' ', Math.Max(0, width - TerminalText.Width(text)));
        return right ? fill + text : text + fill;
    }

    /// <summary>A note under the table, broken into lines at spaces to fit the width.</summary>
    void WriteWrapped(string note, TextWriter output)
    {
        foreach (var line in TerminalText.Wrap(note, _style.Width)) output.WriteLine(line);
    }

    /// <summary>A value as plain text; nested objects (summary's notices) as "key: value, ...", or "none" when empty.</summary>
    internal static string Cell(object? value) => value switch
    {
        null => "",
        bool b => b ? "yes" : "no",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        System.Collections.IDictionary { Count: 0 } => "none",
        System.Collections.IDictionary map => string.Join(", ", Entries(map).Select(e => $"{Cell(e.Key)}: {Cell(e.Value)}")),
        System.Collections.IEnumerable list and not string => string.Join(", ", list.Cast<object?>().Select(Cell)),
        _ => TerminalText.Visible(value.ToString() ?? ""),
    };

    static IEnumerable<System.Collections.DictionaryEntry> Entries(System.Collections.IDictionary map)
    {
        foreach (System.Collections.DictionaryEntry e in map) yield return e;
    }
}
