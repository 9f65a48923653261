using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// Flow traces, both with the same header line <c>C    PID  DELTA(us)              FILE:LINE TYPE     -- FUNC</c>
/// (or <c>-- NAME</c>), then one line per call or return, indented two spaces per depth:
/// <code>
/// memory scripts, -D PYTHON_CALL_STACK:    11672     ex_dtrace.py:44   CALL   -> create_list
///                                          11672     ex_dtrace.py:56   RTN    &lt;- create_list
/// DTraceToolkit py_flowinfo.d and kin:     0 145424        692      posixpath.py:11   func         -> ?
///                                          0 145544          2                 ":-    syscall  &lt;- munmap
/// </code>
/// The indentation is not needed: a call pushes and a return pops the pid's stack.
/// </summary>
public static class FlowLineGrammar
{
    public static readonly Parser<char, Unit> Header =
        Blanks.Then(Char('C')).Then(Blanks1).Then(String("PID")).Then(Blanks1).Then(String("DELTA(us)")).Then(Blanks1)
            .Then(String("FILE:LINE")).Then(Blanks1).Then(String("TYPE")).Then(Blanks1).Then(String("--"))
            .Then(Blanks1).Then(Token(char.IsLetter).AtLeastOnceString()).Then(LineEnd);

    static readonly Parser<char, bool> Arrow = String("->").ThenReturn(true).Or(String("<-").ThenReturn(false)).Before(Char(' '));

    static readonly Parser<char, string> Function = Any.ManyString().Select(f => f.TrimEnd());

    static string FileText(IEnumerable<char> chars) => new string(chars.ToArray()).Trim();

    // --- memory scripts: PID FILE:LINE CALL|RTN -> FUNC

    static readonly Parser<char, bool> CallOrReturn = String("CALL").ThenReturn(true).Or(String("RTN").ThenReturn(false));

    static readonly Parser<char, (int Line, bool IsCall)> LineAndType =
        Map((line, isCall) => (line, isCall), Char(':').Then(SmallUnsigned).Before(Blanks1), CallOrReturn.Before(Blanks1));

    public static readonly Parser<char, FlowLine> MemoryScriptLine =
        Map((pid, loc, _, function) => new FlowLine(pid, FileText(loc.Item1), loc.Item2.Line, loc.Item2.IsCall, function),
            Blanks.Then(SmallUnsigned).Before(Char(' ')),
            Any.ManyThen(Try(LineAndType)),
            Arrow,
            Function);

    // --- DTraceToolkit: CPU PID DELTA FILE:LINE TYPE -> FUNC

    /// <summary>The line number, or '-' where the script has none (syscalls).</summary>
    static readonly Parser<char, int> SourceLine = SmallUnsigned.Or(Char('-').ThenReturn(0));

    static readonly Parser<char, string> ProbeType =
        Token(c => char.IsLetter(c) || c == '-' || c == '_').AtLeastOnceString();

    static readonly Parser<char, (int Line, string Probe)> LineAndProbe =
        Map((line, probe) => (line, probe), Char(':').Then(SourceLine).Before(Blanks1), ProbeType.Before(Blanks1));

    public static readonly Parser<char, FlowLine> ToolkitLine =
        Map((cpu, pid, delta, loc, isCall, function) =>
                new FlowLine(pid, FileText(loc.Item1), loc.Item2.Line, isCall, function, cpu, delta, loc.Item2.Probe),
            Blanks.Then(SmallUnsigned).Before(Blanks1),
            SmallUnsigned.Before(Blanks1),
            Unsigned.Before(Blanks1),
            Any.ManyThen(Try(LineAndProbe.Before(Lookahead(Arrow)))),
            Arrow,
            Function);

    public static bool IsHeader(string text) => text.Contains("DELTA(us)", StringComparison.Ordinal) && Header.Parse(text).Success;

    /// <summary>The hand-written <see cref="FastFlowLine"/> first; the grammar reads whatever it does not match.</summary>
    public static FlowLine? TryParse(string text) => FastFlowLine.TryParse(text) ?? TryParseWithGrammar(text);

    /// <summary>The grammar alone: the reference the fast path is tested against.</summary>
    public static FlowLine? TryParseWithGrammar(string text)
    {
        if (text.Contains("CALL", StringComparison.Ordinal) || text.Contains("RTN", StringComparison.Ordinal))
        {
            var m = MemoryScriptLine.Parse(text);
            if (m.Success) return m.Value;
        }
        if (!text.Contains("-> ", StringComparison.Ordinal) && !text.Contains("<- ", StringComparison.Ordinal)) return null;
        var t = ToolkitLine.Parse(text);
        return t.Success ? t.Value : null;
    }
}
