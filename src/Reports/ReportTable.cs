namespace PyMemTrace.Reports;

/// <summary>How a column's values are written: JSON needs to know a flag from a number.</summary>
public enum ColumnType { Integer, Text, Bool, Real, Any }

public sealed record ReportColumn(string Name, ColumnType Type);

/// <summary>
/// A report's result: named columns and rows of values, nothing else. Queries produce it, renderers write it.
/// AsObject marks a single-row report (summary) that JSON writes as an object, not an array.
/// </summary>
public sealed record ReportTable(string Title, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<object?[]> Rows, bool AsObject = false)
{
    /// <summary>Columns a narrow terminal leaves out first, in that order (then the rightmost); CSV and JSON keep them all.</summary>
    public IReadOnlyList<string> DropFirst { get; init; } = [];

    /// <summary>A line printed under the terminal table (rows left out, and how to see them); not part of CSV or JSON.</summary>
    public string? Note { get; init; }

    public int IndexOf(string column) => Columns.ToList().FindIndex(c => c.Name == column);
}
