using ScottPlot;

namespace PyMemTrace.Plots;

/// <summary>
/// Text needs a font file: SkiaSharp's self-contained Linux build does not ask fontconfig, so ScottPlot is pointed at
/// a system TrueType font (DejaVu Sans, Debian's fonts-dejavu-core, or Liberation Sans) when one is installed.
/// </summary>
internal static class ChartFonts
{
    static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];

    static readonly Lazy<string?> Loaded = new(Load);

    /// <summary>The family to draw text with, or null to leave ScottPlot's own choice.</summary>
    public static string? Family => Loaded.Value;

    static string? Load()
    {
        if (Environment.GetEnvironmentVariable("PMANALYZE_SYSTEM_FONTS") == "1") return null;
        if (Candidates.FirstOrDefault(File.Exists) is not { } path) return null;
        Fonts.AddFontFile("pmanalyze-sans", path);
        return "pmanalyze-sans";
    }
}
