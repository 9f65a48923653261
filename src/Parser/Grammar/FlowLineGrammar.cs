using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// The memory scripts' call-stack mode (<c>-D PYTHON_CALL_STACK</c>): a header line, then per Python call or return
/// <c>  PID  FILE:LINE CALL   -> FUNC</c> / <c>  PID  FILE:LINE RTN  &lt;- FUNC</c>, indented two spaces per depth
/// (the indentation is not needed: CALL pushes and RTN pops the pid's stack).
/// </summary>
public static class FlowLineGrammar
{
    public static readonly Parser<char, Unit> Header =
        Char('C').Then(Blanks1).Then(String("PID")).Then(Blanks1).Then(String("DELTA(us)")).Then(Blanks1)
            .Then(String("FILE:LINE")).Then(Blanks1).Then(String("TYPE")).Then(Blanks1).Then(String("--"))
            .Then(Blanks1).Then(Token(char.IsLetter).AtLeastOnceString()).Then(LineEnd);

    static readonly Parser<char, bool> Type = String("CALL").ThenReturn(true).Or(String("RTN").ThenReturn(false));

    static readonly Parser<char, (int Line, bool IsCall)> LineAndType =
        Map((line, isCall) => (line, isCall), Char(':').Then(SmallUnsigned).Before(Blanks1), Type.Before(Blanks1));

    static readonly Parser<char, Unit> Arrow = String("->").Or(String("<-")).Then(Char(' ')).IgnoreResult();

    public static readonly Parser<char, FlowLine> Line =
        Map((pid, loc, function) =>
                new FlowLine(pid, new string(loc.Item1.ToArray()).Trim(), loc.Item2.Line, loc.Item2.IsCall, function.TrimEnd()),
            Blanks.Then(SmallUnsigned).Before(Char(' ')),
            Any.ManyThen(Try(LineAndType)),
            Arrow.Then(Any.ManyString()));

    public static bool IsHeader(string text) => Header.Parse(text).Success;

    public static FlowLine? TryParse(string text)
    {
        var r = Line.Parse(text);
        return r.Success ? r.Value : null;
    }
}
