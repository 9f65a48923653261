using System.Xml.Linq;
using PyMemTrace.Plots;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;
using SkiaSharp;

namespace PyMemTrace.Tests.Analyses;

/// <summary>Every figure renders headless to a PNG and an SVG of the requested size, with something drawn on it.</summary>
public class PlotTests
{
    public static TheoryData<string, int, int> Figures() => new()
    {
        { "timeline", 1200, 600 }, { "sizes", 1200, 600 }, { "functions", 1200, 600 }, { "leaks", 1200, 600 }, { "timeline", 640, 360 },
    };

    [Theory, MemberData(nameof(Figures))]
    public void Each_figure_renders_to_png_and_svg_of_the_requested_size(string figure, int width, int height)
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, Fixtures.Path_("analyses/two-pids.log"));
        var kind = Enum.Parse<ChartKind>(figure, ignoreCase: true);
        using var conn = InProcess.Read(dir.Db);
        var table = ChartData.For(kind, conn, r.TraceId);

        using var bitmap = SKBitmap.Decode(ChartRenderer.Png(kind, table, "two-pids.log", width, height));
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        var colours = new HashSet<uint>();
        for (int y = 0; y < height; y += 3)
            for (int x = 0; x < width; x += 3) colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 10, $"{figure}: only {colours.Count} colours: a blank image?");

        var svg = XDocument.Parse(ChartRenderer.Svg(kind, table, "two-pids.log", width, height)).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Equal((width.ToString(), height.ToString()), ((string?)svg.Attribute("width"), (string?)svg.Attribute("height")));
        var text = string.Concat(svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        Assert.Contains("two-pids.log", text);   // the title
    }

    [Fact]
    public void Axes_carry_units_and_hostile_names_stay_text_in_svg()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, Fixtures.Path_("analyses/two-pids.log"));
        using var conn = InProcess.Read(dir.Db);
        string timeline = ChartRenderer.Svg(ChartKind.Timeline, ChartData.For(ChartKind.Timeline, conn, r.TraceId), "t");
        Assert.Contains("live bytes (KiB)", Text(timeline));   // peak 4203 B: read in KiB
        Assert.Contains("4,203 B", Text(timeline));              // the exact peak in the legend
        string leaks = ChartRenderer.Svg(ChartKind.Leaks, ChartData.For(ChartKind.Leaks, conn, r.TraceId), "t");
        Assert.Contains("app.py:30 <script>alert(1)</script>", Text(leaks));
        Assert.DoesNotContain("<script", leaks);                 // escaped in the markup
    }

    [Fact]
    public void Text_is_drawn_with_the_bundled_font_whatever_fonts_the_machine_has()
    {
        using var dir = new TempDir();
        var r = InProcess.Import(dir.Db, Fixtures.Path_("analyses/two-pids.log"));
        using var conn = InProcess.Read(dir.Db);
        var table = ChartData.For(ChartKind.Sizes, conn, r.TraceId);
        using var a = SKBitmap.Decode(ChartRenderer.Png(ChartKind.Sizes, table, "a.log"));
        using var b = SKBitmap.Decode(ChartRenderer.Png(ChartKind.Sizes, table, "a much longer trace name.log"));
        int differing = 0;
        for (int y = 0; y < 40; y++)   // the title band
            for (int x = 0; x < a.Width; x++) if (a.GetPixel(x, y) != b.GetPixel(x, y)) differing++;
        Assert.True(differing > 200, $"the titles differ in only {differing} pixels: is text drawn at all?");
    }

    [Fact]
    public void The_plot_command_writes_the_file_and_refuses_other_extensions()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/two-pids.log"), "--db", dir.Db, "-q");
        Pmanalyze.Ok("plot", "sizes", "--db", dir.Db, "--out", dir.File("s.png"), "--width", "800", "--height", "400");
        using (var bitmap = SKBitmap.Decode(dir.File("s.png"))) Assert.Equal((800, 400), (bitmap.Width, bitmap.Height));
        var bad = Pmanalyze.Exec("plot", "sizes", "--db", dir.Db, "--out", dir.File("s.jpg"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(".png or .svg", bad.Stderr);
        Assert.Equal(2, Pmanalyze.Exec("plot", "pie", "--db", dir.Db, "--out", dir.File("p.png")).ExitCode);
    }

    static string Text(string svg) => string.Join("\n", XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));

    /// <summary>Found by the fuzzer: a trace whose live bytes never rise above 0 (only frees) has no peak; its timeline crashed.</summary>
    [Fact]
    public void A_timeline_with_no_peak_draws_without_one()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("frees.log"), "dtrace:::BEGIN\n 1 a.py:1 -> f free(0x10)\n 1 a.py:2 -> f malloc(0) pntr 0x20\ndtrace:::END\n");
        var r = InProcess.Import(dir.Db, dir.File("frees.log"));
        using var conn = InProcess.Read(dir.Db);
        var table = ChartData.For(ChartKind.Timeline, conn, r.TraceId);
        Assert.Equal(2, table.Rows.Count);
        Assert.DoesNotContain("peak", Text(ChartRenderer.Svg(ChartKind.Timeline, table, "frees.log", 640, 360)));
    }
}
