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
/// dtrace: [DTRACEDROP_AGGREGATION] 3 aggregation drops on CPU 1   Oracle DTrace 2.x tags its drop notices
/// dtrace: error in dt_clause_0 for probe ID 1 (dtrace:::BEGIN): invalid address (0x0) at BPF pc 42   (2.x errors)
/// </code>
/// Any other <c>dtrace: </c> line is a notice of kind other. bpftrace has its own, without the prefix:
/// <code>
/// Lost 4595 events                                      perf buffer full: records lost
/// WARNING: ...                                          a warning; one about lost or dropped records is a drop
/// </code>
/// </summary>
public static class NoticeGrammar
{
    static readonly Parser<char, Unit> Prefix = Blanks.Then(String("dtrace: ")).IgnoreResult();

    /// <summary><c>[DTRACEDROP_PRINCIPAL] </c>: the drop kind's tag before an Oracle DTrace 2.x drop notice.</summary>
    static readonly Parser<char, Unit> DropTag =
        Try(Char('[').Then(Token(c => char.IsAsciiLetterUpper(c) || c == '_').AtLeastOnce()).Then(String("] "))).Optional().IgnoreResult();
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
        OneOf(Try(Words("error on enabled probe ID ")), Try(Words("error in ").Then(Any.ManyThen(Try(Words(" for probe ID "))))).IgnoreResult())
            .Then(Rest).ThenReturn(new Notice(NoticeKind.Error, null));

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
        Prefix.Then(DropTag).Then(OneOf(Drops, Error, Aborted, PidExited, ProbesMatched, Sip, Other));

    /// <summary>bpftrace's <c>Lost N events</c>: its perf buffer was full.</summary>
    public static readonly Parser<char, Notice> BpftraceLost =
        Blanks.Then(String("Lost ")).Then(Unsigned).Before(String(" event")).Before(Char('s').Optional()).Before(LineEnd)
            .Select(n => new Notice(NoticeKind.BufferDrops, n));

    /// <summary>bpftrace's <c>WARNING: ...</c>: a drop when it speaks of lost or dropped records (the first number is how many).</summary>
    public static readonly Parser<char, Notice> BpftraceWarning =
        Blanks.Then(OneOf(Try(String("WARNING: ")), String("Warning: "))).Then(Any.ManyString())
            .Select(rest => IsDropWarning(rest) ? new Notice(NoticeKind.OtherDrops, FirstNumber(rest)) : new Notice(NoticeKind.Other, null));

    public static bool IsNotice(string text) => text.TrimStart().StartsWith("dtrace: ", StringComparison.Ordinal);

    public static Notice? TryParse(string text)
    {
        var t = text.AsSpan().TrimStart();
        var parser = t.StartsWith("dtrace: ", StringComparison.Ordinal) ? Notice
            : t.StartsWith("Lost ", StringComparison.Ordinal) ? BpftraceLost
            : t.StartsWith("WARNING: ", StringComparison.Ordinal) || t.StartsWith("Warning: ", StringComparison.Ordinal) ? BpftraceWarning
            : null;
        if (parser is null) return null;
        var r = parser.Parse(text);
        return r.Success ? r.Value : null;
    }

    static bool IsDropWarning(string text) =>
        text.Contains("lost", StringComparison.OrdinalIgnoreCase) || text.Contains("drop", StringComparison.OrdinalIgnoreCase);

    static long? FirstNumber(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"\b\d{1,18}\b");
        return m.Success ? long.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
