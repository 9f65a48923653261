using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// The lines DTrace prints for aggregations (printa, or the automatic print at exit):
/// <code>
/// Python malloc byte distributions by engine caller:                 section title (ends with ':' or ',')
///    python`_PyObject_Realloc, total bytes = 608                     key line with a printed total
///    site.py, func, IterableUserDict                                 key line: columns
///               libc.so.1`malloc                                     stack key: one frame a line
///                 [ /usr/lib/python2.4/posixpath.py:62 (join) ]      ustack helper frame
///            value  ------------- Distribution ------------- count   table header
///              512 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1       bucket row (quantize, lquantize, llquantize)
///              &lt; 0 |                                         0       lquantize end rows: "&lt; MIN", "&gt;= MAX"
///           &lt;= -16 |@@@                                      164     Oracle DTrace 2.x llquantize: "&lt;= -N", "abs() &lt; N"
///                1           @@@@@@@@@@|                     -123    negative counts draw left of the pipe
///    os.py                func       _exists                10       scalar: key columns, then the value
/// @a = 1                                                             scalar of a printa("@a = %@d") format
///     30393  UPDATE pgbench_tellers SET tbalance = tbalance + 8;     value first: printa("%@8d  %s") (pgsqlslowest)
///  311496        1 [J                                                value among the key: printa(" %6d %8@d %s") (j_objnew)
///                  261                                               bare value: ends a stack key (stack() = count())
/// </code>
/// </summary>
public static class AggregationGrammar
{
    public static readonly Parser<char, Unit> TableHeader =
        Blanks.Then(String("value")).Then(Blanks1).Then(Char('-').SkipAtLeastOnce())
            .Then(String(" Distribution ")).Then(Char('-').SkipAtLeastOnce()).Then(Blanks1)
            .Then(String("count")).Then(LineEnd);

    /// <summary>Open-ended rows: lquantize's "&lt; MIN" and "&gt;= MAX"; Oracle DTrace 2.x's llquantize adds "&lt;= -N" and "abs() &lt; N".</summary>
    static readonly Parser<char, string?> BoundMark =
        OneOf(Try(String(">=")), Try(String("<=")), String("<"), String("abs() <"))
            .Before(Blanks1).Select(s => (string?)s).Optional().Select(o => o.HasValue ? o.Value : null);

    /// <summary>Bars may stand on either side of the pipe: negative counts draw to the left.</summary>
    static readonly Parser<char, Unit> Bar =
        Token(c => c is ' ' or '@').SkipMany().Then(Char('|')).Then(Token(c => c is ' ' or '@').SkipMany());

    public static readonly Parser<char, Bucket> Row =
        Map((bound, value, count) => new Bucket(value, count, bound),
            Blanks.Then(BoundMark), Signed.Before(Char(' ')).Before(Bar), Signed.Before(LineEnd));

    /// <summary><c>[ file.py:28 (func) ]</c>: a frame the ustack helper translated (Python source line).</summary>
    static readonly Parser<char, string> HelperFrame =
        String("[ ").Then(Any.ManyThen(Try(String(" ]").Before(LineEnd)))).Select(t => "[ " + new string(t.Item1.ToArray()) + " ]");

    /// <summary><c>module`function+0x1c</c>, <c>module`function</c>, or a bare address <c>0x7fff5fc01000</c>.</summary>
    static readonly Parser<char, string> SymbolFrame =
        Token(c => !char.IsWhiteSpace(c)).AtLeastOnceString()
            .Assert(s => s.Contains('`') || IsAddress(s), "a frame is module`function or an address")
            .Before(LineEnd);

    /// <summary>One frame of a stack() or ustack() key, indented.</summary>
    public static readonly Parser<char, string> Frame = Blanks1.Then(Try(HelperFrame).Or(SymbolFrame));

    /// <summary>A line holding only a number: the value of an aggregation whose key is a stack, or of an unkeyed one.</summary>
    public static readonly Parser<char, long> BareValue = Blanks.Then(Signed).Before(LineEnd);

    static readonly Parser<char, string> TotalLabel =
        Try(String(", total bytes = ")).Or(String(", bytes total = "));

    /// <summary><c>   KEY, ..., total bytes = N</c> (toolkit formats): key columns separated by ", ", then the total.</summary>
    public static readonly Parser<char, (IReadOnlyList<string> Key, long Total)> KeyWithTotal =
        Blanks.Then(Any.ManyThen(Try(TotalLabel.Then(Signed).Before(LineEnd))))
            .Select(t => ((IReadOnlyList<string>)new string(t.Item1.ToArray()).Split(", ").Select(c => c.Trim()).ToArray(), t.Item2));

    /// <summary>
    /// KEY COLUMNS, blanks, VALUE: the value is set off by two blanks or more (DTrace pads its columns), or by one
    /// after a key ending in '=' or ':' (formats like <c>printa("@a = %@d")</c>).
    /// </summary>
    public static readonly Parser<char, (string KeyText, long Value)> KeyAndValue =
        Blanks.Then(Any.ManyThen(Try(Map((gap, value) => (gap, value), Token(c => c is ' ' or '\t').AtLeastOnceString(), Signed.Before(LineEnd)))))
            .Select(t => (Key: new string(t.Item1.ToArray()), t.Item2.gap, t.Item2.value))
            .Assert(t => t.Key.Length > 0 && (t.gap.Length >= 2 || t.Key.TrimEnd().EndsWith('=') || t.Key.TrimEnd().EndsWith(':')),
                "not a key and its value")
            .Assert(t => !HasFlowArrow(t.Key), "a flow-trace line, not a key")
            .Select(t => (t.Key.TrimEnd(), t.value));

    /// <summary>
    /// INTEGER COLUMNS, then text that does not end in a number: the value is the last integer column, the key is the
    /// integer columns before it and the text (printa formats that print %@d before a key column).
    /// </summary>
    public static readonly Parser<char, (IReadOnlyList<long> Leading, string Text)> ValueFirst =
        Map((ints, text) => (Leading: (IReadOnlyList<long>)ints.ToArray(), Text: text),
            Blanks.Then(Try(Signed.Before(Blanks1)).AtLeastOnce()),
            Token(c => !char.IsWhiteSpace(c)).Then(Any.ManyString(), (c, rest) => c + rest))
            .Assert(t => !EndsWithNumber(t.Text) && !HasFlowArrow(t.Text), "not a value followed by key text");

    public static bool IsTableHeader(string text) => text.Contains("Distribution", StringComparison.Ordinal) && TableHeader.Parse(text).Success;

    public static Bucket? TryParseRow(string text)
    {
        if (text.IndexOf('|') < 0) return null;
        var r = Row.Parse(text);
        return r.Success ? r.Value : null;
    }

    public static string? TryParseFrame(string text)
    {
        if (text.Length == 0 || !char.IsWhiteSpace(text[0])) return null;
        var r = Frame.Parse(text);
        return r.Success ? r.Value : null;
    }

    public static long? TryParseBareValue(string text)
    {
        var r = BareValue.Parse(text);
        return r.Success ? r.Value : null;
    }

    public static (string KeyText, long Value)? TryParseKeyAndValue(string text)
    {
        var r = KeyAndValue.Parse(text);
        return r.Success ? r.Value : null;
    }

    public static (IReadOnlyList<long> Leading, string Text)? TryParseValueFirst(string text)
    {
        if (text.Length == 0 || !(char.IsAsciiDigit(text.TrimStart()[0]) || text.TrimStart()[0] == '-')) return null;
        var r = ValueFirst.Parse(text);
        return r.Success ? r.Value : null;
    }

    /// <summary>
    /// A column header above printa rows (<c>FILE  TYPE  NAME  COUNT</c>, <c>PID OBJS CLASS</c>): two words or more,
    /// no digit-only word, not a sentence (it does not end in '.', ':' or ',').
    /// </summary>
    public static bool IsColumnHeader(string text)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var t = text.TrimEnd();
        return words.Length >= 2 && words.All(w => w.AsSpan().IndexOfAnyExcept("0123456789") >= 0)
               && t[^1] is not ('.' or ':' or ',');
    }

    /// <summary>A flow trace's arrow (<c>-&gt; f</c>, <c>&lt;- f = 122</c>; flowindent's <c>=&gt;</c>, <c>&lt;=</c> for syscalls) as a word of the line.</summary>
    static bool HasFlowArrow(string text)
    {
        var t = " " + text.Trim() + " ";
        return t.Contains(" -> ", StringComparison.Ordinal) || t.Contains(" <- ", StringComparison.Ordinal)
               || t.Contains(" => ", StringComparison.Ordinal) || t.Contains(" <= ", StringComparison.Ordinal);
    }

    static bool EndsWithNumber(string text)
    {
        var t = text.AsSpan().TrimEnd();
        int i = t.Length;
        while (i > 0 && char.IsAsciiDigit(t[i - 1])) i--;
        return i < t.Length && (i == 0 || t[i - 1] is ' ' or '\t' or '-' or '.' or ',' or ':'); // 12, -3, 3.05, 01:30
    }
    /// <summary>A key line above a table: its columns, and the total when the format prints one.</summary>
    public static (IReadOnlyList<string> Key, long? Total) ParseKey(string text)
    {
        var r = KeyWithTotal.Parse(text);
        if (r.Success) return (r.Value.Key, r.Value.Total);
        var kv = KeyAndValue.Parse(text);
        if (kv.Success && kv.Value.KeyText.TrimEnd().EndsWith('=')) return (KeyColumns(kv.Value.KeyText), kv.Value.Value);
        return (KeyColumns(text), null);
    }

    /// <summary>
    /// A title line: it ends with ':' or ',' (<c>Python malloc byte distributions by engine caller:</c>, <c>Count,</c>).
    /// </summary>
    public static bool IsTitle(string text)
    {
        var t = text.AsSpan().TrimEnd();
        return t.Length > 1 && (t[^1] == ':' || t[^1] == ',') && !t.TrimStart().StartsWith("dtrace:", StringComparison.Ordinal);
    }

    /// <summary>The title without its padding and final ':' or ','.</summary>
    public static string TitleText(string text) => text.Trim().TrimEnd(':', ',').TrimEnd();

    /// <summary>
    /// The columns of a key line: the toolkit's formats separate them with ", "; DTrace's own layout pads them
    /// with two blanks or more.
    /// </summary>
    public static IReadOnlyList<string> KeyColumns(string keyText)
    {
        var t = keyText.Trim();
        if (t.Length == 0) return Array.Empty<string>();
        if (t.Contains(", ", StringComparison.Ordinal)) return t.Split(", ").Select(c => c.Trim()).ToArray();
        return System.Text.RegularExpressions.Regex.Split(t, "[ \t]{2,}");
    }

    static bool IsAddress(string s) =>
        s.Length > 2 && s.StartsWith("0x", StringComparison.Ordinal) && s.AsSpan(2).IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;
}
