using System.Globalization;
using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// The lines bpftrace prints for its maps (at exit, or by print()):
/// <code>
/// @syscall[6]: 36862                                   map entry: @NAME[KEY, KEY]: VALUE (or @NAME: VALUE)
/// @stat[SSL_read]: count 1401, average 2, total 2834   stats()
/// @usecs:                                              a hist()/lhist() table follows (also @NAME[KEY]:)
/// @usecs[                                              a stack key follows, one frame a line, up to "]:"
///     blk_account_io_start+1
/// ]:                                                   (or "]: VALUE" for a map entry keyed by the stack)
/// [4K, 8K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@|  hist() row [LOW, HIGH): K, M, G... are powers of 1024
/// [0]                    1 |                        |  hist()'s rows for 0 and 1
/// (..., 0)               3 |@                       |  open-ended rows: below, and [1000, ...) above
/// </code>
/// </summary>
public static class BpftraceGrammar
{
    /// <summary>A map's name: @ and an identifier, possibly empty (<c>@[comm]</c>).</summary>
    public static readonly Parser<char, string> MapName =
        Char('@').Then(Token(c => char.IsLetterOrDigit(c) || c == '_').ManyString()).Select(n => "@" + n);

    /// <summary>[KEY]: the text between the brackets, up to the last "]:" of the line.</summary>
    static readonly Parser<char, string> BracketKey =
        Char('[').Then(Any.ManyThen(Try(String("]:").Then(Lookahead(Char(' ').IgnoreResult().Or(End))))))
            .Select(t => new string(t.Item1.ToArray()));

    static readonly Parser<char, (string Name, string? Key)> MapHead =
        Map((name, key) => (name, key.HasValue ? key.Value : (string?)null),
            MapName, Try(BracketKey).Optional()).Before(Try(String(":")).Optional());

    /// <summary><c>@name[key]: 12</c> or <c>@name: 12</c>.</summary>
    public static readonly Parser<char, (string Name, string? Key, long Value)> Entry =
        Map((head, value) => (head.Name, head.Key, value), Try(MapHead.Before(Char(' '))), Signed.Before(LineEnd));

    /// <summary><c>@name[key]: count N, average N, total N</c>.</summary>
    public static readonly Parser<char, (string Name, string? Key, long Count, long Average, long Total)> Stats =
        Map((head, count, average, total) => (head.Name, head.Key, count, average, total),
            Try(MapHead.Before(Char(' '))), String("count ").Then(Signed), String(", average ").Then(Signed),
            String(", total ").Then(Signed).Before(LineEnd));

    /// <summary><c>@name:</c> or <c>@name[key]:</c> alone: a hist()/lhist() table follows.</summary>
    public static readonly Parser<char, (string Name, string? Key)> TableStart = Try(MapHead.Before(LineEnd));

    /// <summary><c>@name[</c> alone: a stack key follows.</summary>
    public static readonly Parser<char, string> StackStart = Try(MapName.Before(Char('[')).Before(LineEnd));

    /// <summary><c>]:</c> (a table follows) or <c>]: 12</c> (the stack's value).</summary>
    public static readonly Parser<char, long?> StackEnd =
        Blanks.Then(String("]:")).Then(Try(Char(' ').Then(Signed).Select(v => (long?)v)).Optional())
            .Select(v => v.HasValue ? v.Value : null).Before(LineEnd);

    /// <summary>A bound: digits with an optional K, M, G, T, P or E (powers of 1024); null when it does not fit a long.</summary>
    static readonly Parser<char, long> Bound =
        Map((digits, suffix) => Scale(digits, suffix.HasValue ? suffix.Value : ' '),
            Char('-').Optional().Then(Digit.AtLeastOnceString(), (m, d) => (m.HasValue ? "-" : "") + d),
            OneOf("KMGTPE").Optional())
            .Assert(v => v.HasValue, "number too large").Select(v => v!.Value);

    static long? Scale(string digits, char suffix)
    {
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return null;
        int power = " KMGTPE".IndexOf(suffix);
        for (int i = 0; i < power; i++)
        {
            if (Math.Abs(v) > long.MaxValue / 1024) return null;
            v *= 1024;
        }
        return v;
    }

    /// <summary>A row's label: the bucket (value, bound) and whether it is a power-of-two bucket (null: cannot tell).</summary>
    static readonly Parser<char, (long Value, string? Bound, bool? Power)> Label = OneOf(
        Try(String("(..., ").Then(Bound).Before(Char(')'))).Select(v => (v, (string?)"<", (bool?)null)),
        Try(Char('[').Then(Bound).Before(String(", ...)"))).Select(v => (v, (string?)">=", (bool?)null)),
        Try(Char('[').Then(Bound).Before(Char(']'))).Select(v => (v, (string?)null, (bool?)(v is 0 or 1))),
        Map((low, high) => (low, (string?)null, (bool?)(low > 0 && high == 2 * low)),
            Char('[').Then(Bound), String(", ").Then(Bound).Before(Char(')'))));

    /// <summary>A hist()/lhist() row: label, count, a bar between pipes.</summary>
    public static readonly Parser<char, (Bucket Bucket, bool? Power)> Row =
        Map((label, count) => (new Bucket(label.Value, count, label.Bound), label.Power),
            Blanks.Then(Label), Blanks1.Then(Signed).Before(Blanks1)
                .Before(Char('|')).Before(Token(c => c != '|').SkipMany()).Before(Char('|')).Before(LineEnd));

    public static bool StartsWithMap(string text) => text.Length > 1 && text[0] == '@';

    public static (string Name, string? Key, long Value)? TryParseEntry(string text) => Parse(Entry, text);
    public static (string Name, string? Key, long Count, long Average, long Total)? TryParseStats(string text) => Parse(Stats, text);
    public static (string Name, string? Key)? TryParseTableStart(string text) => text.TrimEnd().EndsWith(':') ? Parse(TableStart, text) : null;
    public static string? TryParseStackStart(string text)
    {
        if (!text.TrimEnd().EndsWith('[')) return null;
        var r = StackStart.Parse(text);
        return r.Success ? r.Value : null;
    }

    public static (Bucket Bucket, bool? Power)? TryParseRow(string text)
    {
        var t = text.AsSpan().TrimStart();
        if (t.Length == 0 || (t[0] != '[' && t[0] != '(') || text.IndexOf('|') < 0) return null;
        return Parse(Row, text);
    }

    /// <summary>The end of a stack key: <c>]:</c> gives (true, null), <c>]: 12</c> gives (true, 12); anything else (false, null).</summary>
    public static (bool Closed, long? Value) TryParseStackEnd(string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith("]:", StringComparison.Ordinal)) return (false, null);
        var r = StackEnd.Parse(text);
        return r.Success ? (true, r.Value) : (false, null);
    }

    /// <summary>The key columns of a map key: bpftrace separates them with ", ".</summary>
    public static IReadOnlyList<string> KeyColumns(string? key) =>
        key is null ? Array.Empty<string>() : key.Split(", ");

    static T? Parse<T>(Parser<char, T> parser, string text) where T : struct
    {
        var r = parser.Parse(text);
        return r.Success ? r.Value : null;
    }
}
