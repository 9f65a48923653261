using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// A memory event line: <c>[@TIME ]PID FILE:LINE -> FUNCTION CALL</c>, e.g.
/// <c> 11672     ex_dtrace.py:48   -> create_cmalloc_list malloc(1477) pntr 0x7fa8e6071400</c>, or with the time stamp
/// (nanoseconds) that the toolkit's bpftrace programs put first,
/// <c>@5012346790417  11672 /home/u/ex.py:48   -> create_list malloc(1477) pntr 0x7fa8e6071400</c>.
/// Column widths vary. FILE may be empty, a full or front-truncated path, or hold spaces, colons and &lt;&gt;;
/// it ends at the first <c>:LINE -></c>. FUNCTION may be empty or hold anything; it ends where a call
/// that runs to the end of the line begins.
/// </summary>
public static class EventLineGrammar
{
    /// <summary>@NANOSECONDS and one space.</summary>
    static readonly Parser<char, long?> Time =
        Try(Char('@').Then(Unsigned).Before(Char(' '))).Select(t => (long?)t).Or(Parser<char>.Return<long?>(null));

    static readonly Parser<char, int> Pid = Blanks.Then(SmallUnsigned).Before(Char(' '));

    static readonly Parser<char, int> LineThenArrow =
        Char(':').Then(SmallUnsigned).Before(Blanks).Before(String("-> "));

    /// <summary>FILE:LINE -> , the file trimmed of its column padding.</summary>
    static readonly Parser<char, (string File, int Line)> Location =
        Any.ManyThen(Try(LineThenArrow))
            .Select(t => (new string(t.Item1.ToArray()).Trim(), t.Item2));

    /// <summary>FUNCTION CALL: the function is whatever stands before the space that starts the call.</summary>
    static readonly Parser<char, (string Function, MemoryCall Call)> FunctionAndCall =
        Any.ManyThen(Try(Char(' ').Then(CallGrammar.Call)))
            .Select(t => (new string(t.Item1.ToArray()), t.Item2));

    public static readonly Parser<char, EventLine> Line =
        Map((time, pid, loc, fc) => new EventLine(pid, loc.File, loc.Line, fc.Function, fc.Call, time),
            Time, Pid, Location, FunctionAndCall);

    /// <summary>The hand-written <see cref="FastEventLine"/> first; the grammar decides whatever it is unsure of.</summary>
    public static EventLine? TryParse(string text) => FastEventLine.TryParse(text, out var ev) switch
    {
        FastEventLine.Verdict.Match => ev,
        FastEventLine.Verdict.NoMatch => null,
        _ => TryParseWithGrammar(text),
    };

    /// <summary>The grammar alone: the reference the fast path is tested against.</summary>
    public static EventLine? TryParseWithGrammar(string text)
    {
        var r = Line.Parse(text);
        return r.Success ? r.Value : null;
    }
}
