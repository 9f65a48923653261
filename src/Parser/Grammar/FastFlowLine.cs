using System.Text;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser.Grammar;

/// <summary>Where the parts of a flow line read by <see cref="FastFlowLine"/> are: offsets into the line.</summary>
public readonly record struct FlowFields(int Pid, int FileStart, int FileLength, int Line, bool IsCall, int FunctionStart, int FunctionLength);

/// <summary>
/// A hand-written reading of the memory scripts' flow line (<c>  11672  ex_dtrace.py:44  CALL -> create_list</c>),
/// tried before <see cref="FlowLineGrammar.MemoryScriptLine"/>: a call-stack log has a CALL or RTN line for every
/// Python call, and the grammar costs several times what the rest of the import does per line. It reads the line's
/// bytes (the import's hot path needs no string per line) and follows the grammar step by step (the same shortest
/// FILE, the first <c>:LINE CALL|RTN</c> that follows it, then the arrow), answering only when sure: anything not
/// ASCII, or a number that may overflow, is left to the grammar, and so is every line that does not match. Tests
/// check that where it answers, it agrees with the grammar.
/// </summary>
public static class FastFlowLine
{
    /// <summary>A line as text: read as its ASCII bytes.</summary>
    public static FlowLine? TryParse(ReadOnlySpan<char> s)
    {
        if (!Ascii.IsValid(s)) return null;
        byte[]? rented = s.Length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(s.Length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[s.Length] : rented.AsSpan(0, s.Length);
        Ascii.FromUtf16(s, bytes, out _);
        bool match = TryParse(bytes, out var f);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return match
            ? new FlowLine(f.Pid, s.Slice(f.FileStart, f.FileLength).ToString(), f.Line, f.IsCall, s.Slice(f.FunctionStart, f.FunctionLength).ToString())
            : null;
    }

    /// <summary>A line as bytes (without its newline); only ASCII is read. File and function are trimmed as the grammar trims them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> s, out FlowFields fields)
    {
        fields = default;
        if (!Ascii.IsValid(s)) return false;
        int i = SkipBlanks(s, 0);
        if (!Number(s, ref i, out long pid) || pid > int.MaxValue) return false;
        if (i >= s.Length || s[i] != ' ') return false;
        int fileStart = i + 1;

        // FILE: the shortest text followed by ':' LINE blanks (CALL|RTN) blanks
        for (int k = fileStart; k < s.Length; k++)
        {
            if (s[k] != ':') continue;
            int j = k + 1;
            if (!Number(s, ref j, out long line))
            {
                if (j > k + 1) return false; // digits that may overflow: the grammar decides
                continue;
            }
            if (line > int.MaxValue) return false;
            int typeStart = SkipBlanks(s, j);
            if (typeStart == j) continue;
            bool isCall;
            int typeEnd;
            if (s[typeStart..].StartsWith("CALL"u8)) (isCall, typeEnd) = (true, typeStart + 4);
            else if (s[typeStart..].StartsWith("RTN"u8)) (isCall, typeEnd) = (false, typeStart + 3);
            else continue;
            int arrow = SkipBlanks(s, typeEnd);
            if (arrow == typeEnd) continue;
            // the first FILE:LINE TYPE is the grammar's choice: the arrow must follow it, or the line is no flow line here
            if (!(s[arrow..].StartsWith("-> "u8) || s[arrow..].StartsWith("<- "u8))) return false;
            var (fs, fl) = Trimmed(s, fileStart, k, trimStart: true);
            var (ns, nl) = Trimmed(s, arrow + 3, s.Length, trimStart: false);
            fields = new FlowFields((int)pid, fs, fl, (int)line, isCall, ns, nl);
            return true;
        }
        return false;
    }

    /// <summary>The range [start, end) without the white space at its end (and at its start), as Trim/TrimEnd remove it (ASCII).</summary>
    static (int Start, int Length) Trimmed(ReadOnlySpan<byte> s, int start, int end, bool trimStart)
    {
        while (trimStart && start < end && IsWhite(s[start])) start++;
        while (end > start && IsWhite(s[end - 1])) end--;
        return (start, end - start);
    }

    static bool IsWhite(byte b) => b is (byte)' ' or (>= 0x09 and <= 0x0d);

    /// <summary>Decimal digits that surely fit a long; false (with <paramref name="i"/> moved) when they may not, or when there are none.</summary>
    static bool Number(ReadOnlySpan<byte> s, ref int i, out long value)
    {
        int start = i;
        value = 0;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
        {
            if (i - start >= 18) return false;
            value = value * 10 + (s[i] - '0');
            i++;
        }
        return i > start;
    }

    static int SkipBlanks(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t') i++;
        return i;
    }
}
