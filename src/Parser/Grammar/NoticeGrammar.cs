using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// DTrace's own messages, one grammar line per kind (libdtrace's wording):
/// <code>
/// dtrace: 120 drops on CPU 1
/// dtrace: 3 aggregation drops on CPU 0
/// dtrace: 99 dynamic variable drops                     (also: ... with non-empty dirty list / rinsing list)
/// dtrace: 2 speculative drops                           (also: N failed speculations (...))
/// dtrace: 1 jstack()/ustack() string table overflow     (also: N errors in ERROR probe enabling)
/// dtrace: error on enabled probe ID 5 (ID 1234: pid42:libc:malloc:entry): invalid address (0x0) in action #2
/// dtrace: processing aborted: Abort due to systemic unresponsiveness
/// dtrace: pid 1234 has exited                           (also: exited with status N, terminated by SIGNAL)
/// dtrace: script './putnexts.d' matched 1 probe         (also: description '...' matched N probes)
/// dtrace: system integrity protection is on, some features will not be available
/// </code>
/// Any other <c>dtrace: </c> line is a notice of kind other.
/// </summary>
public static class NoticeGrammar
{
    static readonly Parser<char, Unit> Prefix = Blanks.Then(String("dtrace: ")).IgnoreResult();
    static readonly Parser<char, Unit> Rest = Any.SkipMany();
    static Parser<char, Unit> Words(string text) => String(text).IgnoreResult();
    static Parser<char, Unit> Plural(string noun) => String(noun).Then(Char('s').Optional()).IgnoreResult();

    static Parser<char, Notice> Counted(string kind, Parser<char, Unit> what) =>
        Try(Unsigned.Before(Char(' ')).Before(what).Before(Rest)).Select(n => new Notice(kind, n));

    static readonly Parser<char, Notice> Drops = OneOf(
        Counted(NoticeKind.BufferDrops, Plural("drop").Then(Words(" on CPU"))),
        Counted(NoticeKind.AggregationDrops, Plural("aggregation drop")),
        Counted(NoticeKind.DynamicVariableDrops, Plural("dynamic variable drop")),
        Counted(NoticeKind.SpeculativeDrops, Plural("speculative drop")),
        Counted(NoticeKind.SpeculativeDrops, Plural("failed speculation")),
        Counted(NoticeKind.OtherDrops, Words("jstack()/ustack() string table overflow")),
        Counted(NoticeKind.OtherDrops, Plural("error").Then(Words(" in ERROR probe enabling"))));

    static readonly Parser<char, Notice> Error =
        Try(Words("error on enabled probe ID ")).Then(Rest).ThenReturn(new Notice(NoticeKind.Error, null));

    static readonly Parser<char, Notice> Aborted =
        Try(Words("processing aborted")).Then(Rest).ThenReturn(new Notice(NoticeKind.Aborted, null));

    static readonly Parser<char, Notice> PidExited =
        Try(Words("pid ").Then(Unsigned).Before(Char(' ')).Before(OneOf(Try(Words("has exited")), Try(Words("exited")), Words("terminated"))))
            .Before(Rest).Select(pid => new Notice(NoticeKind.PidExited, pid));

    static readonly Parser<char, Notice> ProbesMatched =
        Try(OneOf(Words("script '"), Words("description '")).Then(Any.ManyThen(Try(Words("' matched ").Then(Unsigned)))))
            .Before(Char(' ')).Before(Plural("probe")).Before(LineEnd)
            .Select(t => new Notice(NoticeKind.ProbesMatched, t.Item2));

    static readonly Parser<char, Notice> Sip =
        Try(Words("system integrity protection is on")).Then(Rest).ThenReturn(new Notice(NoticeKind.Sip, null));

    static readonly Parser<char, Notice> Other = Rest.ThenReturn(new Notice(NoticeKind.Other, null));

    public static readonly Parser<char, Notice> Notice =
        Prefix.Then(OneOf(Drops, Error, Aborted, PidExited, ProbesMatched, Sip, Other));

    public static bool IsNotice(string text) => text.TrimStart().StartsWith("dtrace: ", StringComparison.Ordinal);

    public static Notice? TryParse(string text)
    {
        if (!IsNotice(text)) return null;
        var r = Notice.Parse(text);
        return r.Success ? r.Value : null;
    }
}
