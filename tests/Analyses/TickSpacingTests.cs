using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PyMemTrace.Plots;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// Tick labels never crowd at 800 px (issue 14): in each figure's SVG, the labels along the bottom axis (one row of
/// texts) keep at least a gap between them, and those up the left axis a line's height; on real traces and on
/// timelines of 16 million events, of seconds and of GiB.
/// </summary>
public class TickSpacingTests
{
    const int Width = 800, Height = 400;

    /// <summary>A text's extent: its translation plus its glyphs' offsets (the SVG gives each glyph's x), the last glyph about 0.65 em wide.</summary>
    sealed record Label(string Text, double Left, double Right, double Y, double Size);

    static List<Label> Labels(string svg) => XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text")
        .Select(e => (Element: e, Move: Regex.Match((string?)e.Attribute("transform") ?? "", @"^translate\(([-\d.]+) ([-\d.]+)\)$")))
        .Where(t => t.Move.Success)
        .Select(t =>
        {
            var xs = ((string)t.Element.Attribute("x")!).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            double at = double.Parse(t.Move.Groups[1].Value, CultureInfo.InvariantCulture), size = double.Parse((string)t.Element.Attribute("font-size")!, CultureInfo.InvariantCulture);
            return new Label(t.Element.Value.Trim(), at + xs.Min(), at + xs.Max() + 0.65 * size, double.Parse(t.Move.Groups[2].Value, CultureInfo.InvariantCulture), size);
        }).ToList();

    static void AssertUncrowded(string what, string svg)
    {
        var labels = Labels(svg).Where(l => l.Size <= 12).ToList();   // tick labels: titles and axis names are larger
        // the bottom axis: the row of labels lowest on the figure that holds more than one
        var bottom = labels.GroupBy(l => Math.Round(l.Y)).Where(g => g.Count() > 1).OrderByDescending(g => g.Key).First().OrderBy(l => l.Left).ToList();
        Assert.True(bottom.Count is >= 2 and <= 16, $"{what}: {bottom.Count} labels along the bottom: {string.Join(" ", bottom.Select(b => b.Text))}");
        for (int i = 1; i < bottom.Count; i++)
            Assert.True(bottom[i].Left - bottom[i - 1].Right >= 8,
                $"{what}: '{bottom[i - 1].Text}' and '{bottom[i].Text}' are {bottom[i].Left - bottom[i - 1].Right:0.0} px apart at {Width} px: {string.Join(" ", bottom.Select(b => b.Text))}");
        // the left axis: labels right-aligned in one column, a glyph's height (1.2 em) apart at least
        var left = labels.GroupBy(l => Math.Round(l.Right)).Where(g => g.Count() > 1).OrderBy(g => g.Key).FirstOrDefault()?.OrderBy(l => l.Y).ToList() ?? [];   // a ranking of one bar has one label
        for (int i = 1; i < left.Count; i++)
            Assert.True(left[i].Y - left[i - 1].Y >= 1.2 * left[i].Size, $"{what}: y labels '{left[i - 1].Text}' and '{left[i].Text}' overlap");
    }

    static ReportTable Timeline(long events, long maxBytes, double? seconds)
    {
        var rows = Enumerable.Range(0, 1000).Select(i =>
        {
            long e = 1 + i * (events - 1) / 999;
            object?[] row = [e, e + 3, maxBytes / 1000 * i, (long)i, i == 700];
            return seconds is { } s ? [.. row, s * i / 999] : row;
        }).ToList();
        ReportColumn[] columns = [new("event", ColumnType.Integer), new("line", ColumnType.Integer), new("live_bytes", ColumnType.Integer), new("live_blocks", ColumnType.Integer), new("peak", ColumnType.Bool)];
        return new ReportTable("Timeline", seconds is null ? columns : [.. columns, new("seconds", ColumnType.Real)], rows);
    }

    [Theory]
    [InlineData(16_000_000L, 7L << 30, null)]
    [InlineData(1_000_000L, 900L << 20, 3599.5)]
    [InlineData(25L, 5000L, 0.004)]
    public void A_timeline_of_any_length_keeps_its_labels_apart(long events, long bytes, double? seconds) =>
        AssertUncrowded($"timeline of {events} events", ChartRenderer.Svg(ChartKind.Timeline, Timeline(events, bytes, seconds), "t.log", Width, Height));

    [Theory]
    [InlineData("generated/pyraw-call-stack.log")]
    [InlineData("timed/paced-cache.log")]
    [InlineData("generated/libc-2pids-quirks.log")]
    public void Every_figure_of_a_real_trace_keeps_its_labels_apart(string log)
    {
        using var dir = new TempDir();
        long trace = InProcess.Import(dir.Db, Fixtures.Path_(log)).TraceId;
        using var conn = InProcess.Read(dir.Db);
        foreach (var kind in new[] { ChartKind.Timeline, ChartKind.Sizes, ChartKind.Leaks, ChartKind.Functions })
            AssertUncrowded($"{kind} of {log}", ChartRenderer.Svg(kind, ChartData.For(kind, conn, trace), log, Width, Height));
        AssertUncrowded($"sites of {log}", ChartRenderer.Svg(ChartKind.SiteTimeline, SiteSeries.Timeline(conn, EventFilter.None.Resolve(conn, trace), 10, null), log, Width, Height));
    }
}
