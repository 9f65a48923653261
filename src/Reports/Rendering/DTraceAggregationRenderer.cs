using System.Globalization;
using System.Text;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// Writes aggregation rows (columns section, key_text, kind, total, buckets as AggregationReports.Tables gives them)
/// back the way DTrace prints them: section titles, key lines, the value/Distribution/count header and the bars.
/// Titles, keys and bucket bounds come from the log: their control characters are made visible (\x1b), as in tables,
/// and a key line is cut at TableStyle.WidestCell columns (a 1 MiB key is no key to read; JSON and CSV keep it whole).
/// </summary>
public sealed class DTraceAggregationRenderer : IRenderer
{
    const int BarWidth = 40;

    public void Render(ReportTable table, TextWriter output)
    {
        int section = table.IndexOf("section"), keyText = table.IndexOf("key_text"), kind = table.IndexOf("kind"),
            total = table.IndexOf("total"), buckets = table.IndexOf("buckets"), form = table.IndexOf("form");
        string? current = null;
        foreach (var row in table.Rows)
        {
            var title = TerminalText.Cut(TerminalText.Visible((string?)row[section] ?? ""), TableStyle.WidestCell);
            if (title != current)
            {
                if (current is not null) output.WriteLine();
                if (title.Length > 0) output.WriteLine(title + ":");
                current = title;
            }
            var key = ((string?)row[keyText] ?? "").Split('\n').Where(k => k.Length > 0)
                .Select(k => TerminalText.Cut(TerminalText.Visible(k), TableStyle.WidestCell)).ToList();
            if ((string?)row[kind] == "scalar")
            {
                var value = Convert.ToString(row[total], CultureInfo.InvariantCulture);
                if (key.Count <= 1) output.WriteLine($"  {(key.Count == 1 ? key[0] : ""),-48} {value,16}".TrimEnd());
                else
                {
                    foreach (var k in key) output.WriteLine("  " + k);
                    output.WriteLine($"{value,18}");
                }
                continue;
            }
            output.WriteLine();
            foreach (var k in key) output.WriteLine("  " + k);
            if (form >= 0 && (string?)row[form] == "packed") // -x aggpack printed no bucket counts: only the count is known
                output.WriteLine($"  {(string?)row[kind]} (packed), count {Convert.ToString(row[total], CultureInfo.InvariantCulture)}");
            else WriteDistribution((IEnumerable<object?>)row[buckets]!, output);
        }
    }

    /// <summary>
    /// Bars as DTrace draws them: 40 columns right of the pipe; left of it when every count is negative; split 20/20
    /// around a middle pipe when counts of both signs are present. A bar's length is its share of Σ|count|.
    /// </summary>
    static void WriteDistribution(IEnumerable<object?> rows, TextWriter output)
    {
        var buckets = rows.Cast<IReadOnlyDictionary<string, object?>>()
            .Select(b => (Value: (long)b["value"]!, Count: (long)b["count"]!, Bound: b.TryGetValue("bound", out var x) ? (string?)x : null))
            .ToList();
        decimal total = buckets.Sum(b => Math.Abs((decimal)b.Count));
        bool negative = buckets.Any(b => b.Count < 0), positive = buckets.Any(b => b.Count > 0);
        int width = negative && positive ? BarWidth / 2 : BarWidth;
        output.WriteLine("           value  ------------- Distribution ------------- count");
        foreach (var b in buckets)
        {
            int ats = total == 0 ? 0 : (int)Math.Round(Math.Abs((decimal)b.Count) * width / total, MidpointRounding.AwayFromZero);
            string left = negative ? (b.Count < 0 ? new string('@', ats) : "").PadLeft(width) : "";
            string right = !negative || positive ? (b.Count > 0 ? new string('@', ats) : "").PadRight(width) : "";
            string label = b.Bound is null ? b.Value.ToString(CultureInfo.InvariantCulture) : $"{TerminalText.Visible(b.Bound)} {b.Value}";
            output.WriteLine(new StringBuilder().Append(label.PadLeft(16)).Append(' ').Append(left).Append('|').Append(right).Append(' ')
                .Append(b.Count.ToString(CultureInfo.InvariantCulture)).ToString());
        }
    }
}
