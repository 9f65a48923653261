using PyMemTrace.Reports;

namespace PyMemTrace.Plots;

/// <summary>One row of a report table, read by column name.</summary>
internal readonly struct RowView(ReportTable table, object?[] row)
{
    public object? this[string column] => row[table.IndexOf(column)];

    public double Number(string column) => Convert.ToDouble(this[column] ?? 0);

    public bool Has(string column) => table.IndexOf(column) >= 0;

    public static IEnumerable<RowView> Of(ReportTable table) => table.Rows.Select(r => new RowView(table, r));
}
