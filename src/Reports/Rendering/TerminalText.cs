using System.Text;
using Wcwidth;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// Text from a log or a file name on its way to a terminal: control characters made visible (a terminal must not
/// obey them), measured in terminal columns (a CJK character takes two), cut to a width with an ellipsis.
/// </summary>
public static class TerminalText
{
    public const string Ellipsis = "…";

    /// <summary>
    /// C0 and C1 controls (ESC, BEL, CR, U+009B CSI ...) as \xNN, and the bidirectional overrides that reorder what a
    /// reader sees (U+202E ...) as \uNNNN; the same instance when there is none.
    /// </summary>
    public static string Visible(string s)
    {
        if (!s.Any(NeedsEscape)) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (char.IsControl(c)) sb.Append($"\\x{(int)c:x2}");
            else if (NeedsEscape(c)) sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    /// <summary>Terminal columns the text takes (after <see cref="Visible"/>: no controls left).</summary>
    public static int Width(string s)
    {
        int width = 0;
        foreach (var r in s.EnumerateRunes()) width += RuneWidth(r);
        return width;
    }

    static int RuneWidth(Rune r) => Math.Max(0, UnicodeCalculator.GetWidth(r));

    /// <summary>
    /// The text in at most <paramref name="max"/> columns: whole when it fits, else its start and an ellipsis, or with
    /// <paramref name="keepEnd"/> an ellipsis and its end (a path keeps its file name).
    /// </summary>
    public static string Cut(string s, int max, bool keepEnd = false)
    {
        if (s.Length <= max && Width(s) <= max) return s;
        if (max <= 0) return "";
        int width = 1, kept = 0; // the ellipsis takes one column; walk from the kept end until the next character would not fit
        while (kept < s.Length)
        {
            Rune r; int n; // an unpaired surrogate decodes as U+FFFD, one column
            if (keepEnd) Rune.DecodeLastFromUtf16(s.AsSpan(0, s.Length - kept), out r, out n);
            else Rune.DecodeFromUtf16(s.AsSpan(kept), out r, out n);
            int w = RuneWidth(r);
            if (width + w > max) break;
            width += w;
            kept += n;
        }
        if (kept == s.Length) return s;
        return keepEnd ? Ellipsis + s[^kept..] : s[..kept] + Ellipsis;
    }

    /// <summary>Text (visible) broken into lines of at most <paramref name="width"/> columns at spaces; a longer word is cut.</summary>
    public static IEnumerable<string> Wrap(string text, int? width)
    {
        int max = width ?? int.MaxValue;
        var line = new StringBuilder();
        int used = 0;
        foreach (var word in Visible(text).Split(' ').Select(w => Cut(w, max)))
        {
            int w = Width(word);
            if (used > 0 && used + 1 + w > max)
            {
                yield return line.ToString();
                line.Clear();
                used = 0;
            }
            if (used > 0) { line.Append(' '); used++; }
            line.Append(word);
            used += w;
        }
        if (used > 0) yield return line.ToString();
    }
}
