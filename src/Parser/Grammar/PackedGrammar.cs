using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// The lines DTrace prints for quantize and lquantize under <c>-x aggpack</c> (illumos libdtrace's
/// dt_print_quanthdr_packed / dt_print_quantize_packed), one line per key:
/// <code>
///                  key  min .------------------. max    | count      header: one '-' per bucket
///           1413409840    4 : ▁▃▁▅█▃▁▂▂▂▂▁▁    : 524288 | 2459       KEY MIN :BARS: MAX | COUNT
///                 sshd  &lt; 0 :  __xX     : &gt;= 100 | 12              lquantize; ASCII bars (TERM=dumb, -x encoding=ascii)
/// </code>
/// A bar is one character per bucket (blank for an empty one): it shows a share of the count, not the bucket's count,
/// so only the key, the range and the count can be read.
/// </summary>
public static class PackedGrammar
{
    public static readonly Parser<char, Unit> Header =
        Blanks.Then(Try(String("key").Then(Blanks1)).Optional()).Then(String("min .")).Then(Char('-').SkipAtLeastOnce())
            .Then(String(". max")).Then(Blanks1).Then(String("| count")).Then(LineEnd);

    static bool IsBar(char c) => c is ' ' or '_' or 'x' or 'X' or 'v' or 'V' || (c >= '\u2581' && c <= '\u2588');

    static readonly Parser<char, (bool Linear, long Count)> Tail =
        Map((linear, count) => (linear, count),
            Blanks1.Then(OneOf(Try(String("< ").Then(Signed)).ThenReturn(true), Signed.ThenReturn(false)))
                .Before(String(" :")).Before(Token(IsBar).SkipMany()).Before(String(": "))
                .Before(OneOf(Try(String(">= ").Then(Signed)), Signed)),
            Blanks.Then(String("| ")).Then(Signed).Before(LineEnd));

    /// <summary>KEY, then the packed histogram: the key text, whether it is an lquantize, and the count.</summary>
    public static readonly Parser<char, (string KeyText, bool Linear, long Count)> Row =
        Any.ManyThen(Try(Tail)).Select(t => (new string(t.Item1.ToArray()).Trim(), t.Item2.Linear, t.Item2.Count));

    public static bool IsHeader(string text) => text.Contains(". max", StringComparison.Ordinal) && Header.Parse(text).Success;

    public static (string KeyText, bool Linear, long Count)? TryParseRow(string text)
    {
        if (!text.Contains(" | ", StringComparison.Ordinal) || !text.Contains(" :", StringComparison.Ordinal)) return null;
        var r = Row.Parse(text);
        return r.Success ? r.Value : null;
    }
}
