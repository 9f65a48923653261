using ScottPlot;
using SkiaSharp;

namespace PyMemTrace.Plots;

/// <summary>
/// Text needs a font, and SkiaSharp's self-contained Linux build finds none on a machine without fonts (the figures
/// then silently lose every label). So the figures use DejaVu Sans shipped inside this assembly (Fonts/, with its
/// licence): the same text on every machine, display or none.
/// </summary>
internal static class ChartFonts
{
    public const string Family = "pmanalyze DejaVu Sans";

    static readonly Lazy<string> Loaded = new(() =>
    {
        Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
        return Family;
    });

    /// <summary>Registers the embedded font (once) and returns its family name.</summary>
    public static string Use() => Loaded.Value;

    sealed class EmbeddedFontResolver : IFontResolver
    {
        readonly SKTypeface _typeface = Load();

        static SKTypeface Load()
        {
            using var s = typeof(ChartFonts).Assembly.GetManifestResourceStream("PyMemTrace.Plots.DejaVuSans.ttf")
                          ?? throw new InvalidOperationException("DejaVuSans.ttf is not embedded");
            return SKTypeface.FromStream(s) ?? throw new InvalidOperationException("DejaVuSans.ttf cannot be read");
        }

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            fontName == Family ? _typeface : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => fontName == Family ? _typeface : null;
    }
}
