using System.Text;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// A hand-written reading of the memory scripts' flow line (<c>  11672  ex_dtrace.py:44  CALL -> create_list</c>),
/// tried before <see cref="FlowLineGrammar.MemoryScriptLine"/>: a call-stack log has a CALL or RTN line for every
/// Python call, and the grammar costs several times what the rest of the import does per line. It follows the grammar
/// step by step (the same shortest FILE, the first <c>:LINE CALL|RTN</c> that follows it, then the arrow) and answers
/// only when sure: anything not ASCII, or a number that may overflow, is left to the grammar, and so is every line
/// that does not match. Tests check that where it answers, it agrees with the grammar.
/// </summary>
public static class FastFlowLine
{
    public static FlowLine? TryParse(ReadOnlySpan<char> s)
    {
        if (!Ascii.IsValid(s)) return null;
        int i = SkipBlanks(s, 0);
        if (!Number(s, ref i, out long pid) || pid > int.MaxValue) return null;
        if (i >= s.Length || s[i] != ' ') return null;
        int fileStart = i + 1;

        // FILE: the shortest text followed by ':' LINE blanks (CALL|RTN) blanks
        for (int k = fileStart; k < s.Length; k++)
        {
            if (s[k] != ':') continue;
            int j = k + 1;
            if (!Number(s, ref j, out long line))
            {
                if (j > k + 1) return null; // digits that may overflow: the grammar decides
                continue;
            }
            if (line > int.MaxValue) return null;
            int typeStart = SkipBlanks(s, j);
            if (typeStart == j) continue;
            bool isCall;
            int typeEnd;
            if (s[typeStart..].StartsWith("CALL")) (isCall, typeEnd) = (true, typeStart + 4);
            else if (s[typeStart..].StartsWith("RTN")) (isCall, typeEnd) = (false, typeStart + 3);
            else continue;
            int arrow = SkipBlanks(s, typeEnd);
            if (arrow == typeEnd) continue;
            // the first FILE:LINE TYPE is the grammar's choice: the arrow must follow it, or the line is no flow line here
            if (!(s[arrow..].StartsWith("-> ") || s[arrow..].StartsWith("<- "))) return null;
            var file = s[fileStart..k].Trim();
            var function = s[(arrow + 3)..].TrimEnd();
            return new FlowLine((int)pid, file.ToString(), (int)line, isCall, function.ToString());
        }
        return null;
    }

    /// <summary>Decimal digits that surely fit a long; false (with <paramref name="i"/> moved) when they may not, or when there are none.</summary>
    static bool Number(ReadOnlySpan<char> s, ref int i, out long value)
    {
        int start = i;
        value = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            if (i - start >= 18) return false;
            value = value * 10 + (s[i] - '0');
            i++;
        }
        return i > start;
    }

    static int SkipBlanks(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
        return i;
    }
}
