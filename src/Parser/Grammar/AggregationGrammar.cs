using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// The lines of a printa section after END:
/// <code>
/// Python malloc byte distributions by engine caller:                 section title
///    python`_PyObject_Realloc, total bytes = 608                     key line (or: FILE, FUNCTION, bytes total = N)
///            value  ------------- Distribution ------------- count   table header
///              512 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1       bucket row (lquantize: "&lt; 0", "&gt;= 100")
/// </code>
/// </summary>
public static class AggregationGrammar
{
    public static readonly Parser<char, Unit> TableHeader =
        Blanks.Then(String("value")).Then(Blanks1).Then(Char('-').SkipAtLeastOnce())
            .Then(String(" Distribution ")).Then(Char('-').SkipAtLeastOnce()).Then(Blanks1)
            .Then(String("count")).Then(LineEnd);

    static readonly Parser<char, string?> BoundMark =
        OneOf(String(">="), String("<")).Before(Blanks).Select(s => (string?)s).Optional().Select(o => o.HasValue ? o.Value : null);

    /// <summary>Bars may stand on either side of the pipe: negative counts draw to the left.</summary>
    static readonly Parser<char, Unit> Bar =
        Token(c => c is ' ' or '@').SkipMany().Then(Char('|')).Then(Token(c => c is ' ' or '@').SkipMany());

    public static readonly Parser<char, Bucket> Row =
        Map((bound, value, count) => new Bucket(value, count, bound),
            Blanks.Then(BoundMark), Signed.Before(Char(' ')).Before(Bar), Signed.Before(LineEnd));

    static readonly Parser<char, Unit> TotalLabel =
        Try(String(", total bytes = ")).Or(String(", bytes total = ")).IgnoreResult();

    /// <summary><c>   KEY, ..., total bytes = N</c>: key columns separated by ", ", then the total.</summary>
    public static readonly Parser<char, (IReadOnlyList<string> Key, long Total)> KeyWithTotal =
        Blanks1.Then(Any.ManyThen(Try(TotalLabel.Then(Signed).Before(LineEnd))))
            .Select(t => ((IReadOnlyList<string>)new string(t.Item1.ToArray()).Split(", "), t.Item2));

    /// <summary>A title: an unindented line ending in a colon, e.g. <c>Python malloc byte distributions by engine caller:</c>.</summary>
    public static bool IsSectionTitle(string text) =>
        text.Length > 1 && !char.IsWhiteSpace(text[0]) && text.TrimEnd().EndsWith(':') && !text.StartsWith("dtrace:", StringComparison.Ordinal);

    public static bool IsTableHeader(string text) => text.Contains("Distribution") && TableHeader.Parse(text).Success;

    public static Bucket? TryParseRow(string text)
    {
        if (text.IndexOf('|') < 0) return null;
        var r = Row.Parse(text);
        return r.Success ? r.Value : null;
    }

    public static (IReadOnlyList<string> Key, long? Total) ParseKey(string text)
    {
        var r = KeyWithTotal.Parse(text);
        return r.Success ? (r.Value.Key, r.Value.Total) : (new[] { text.Trim() }, null);
    }
}
