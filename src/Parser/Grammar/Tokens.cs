using System.Globalization;
using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace PyMemTrace.Parser.Grammar;

/// <summary>The small tokens every DTrace line family is built from.</summary>
internal static class Tokens
{
    public static readonly Parser<char, Unit> Blanks = Char(' ').Or(Char('\t')).SkipMany();
    public static readonly Parser<char, Unit> Blanks1 = Char(' ').Or(Char('\t')).SkipAtLeastOnce();

    /// <summary>An unsigned decimal that fits a long (sizes, counts, pids, line numbers).</summary>
    public static readonly Parser<char, long> Unsigned =
        Digit.AtLeastOnceString()
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1)
            .Assert(v => v >= 0, "number too large");

    /// <summary>A signed decimal that fits a long (bucket values and counts may be negative).</summary>
    public static readonly Parser<char, long> Signed =
        Map((minus, digits) => (minus.HasValue ? "-" : "") + digits, Char('-').Optional(), Digit.AtLeastOnceString())
            .Select(s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? (long?)v : null)
            .Assert(v => v.HasValue, "number too large")
            .Select(v => v!.Value);

    public static readonly Parser<char, int> SmallUnsigned =
        Unsigned.Assert(v => v <= int.MaxValue, "number too large").Select(v => (int)v);

    /// <summary>A pointer as DTrace prints it: `0x` and up to 16 hex digits, kept as its 64-bit pattern.</summary>
    public static readonly Parser<char, long> Pointer =
        String("0x").Then(Token(Uri.IsHexDigit).AtLeastOnceString())
            .Assert(h => h.Length <= 16, "pointer too long")
            .Select(h => unchecked((long)ulong.Parse(h, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)));

    public static readonly Parser<char, Unit> LineEnd = Blanks.Then(End);
}
