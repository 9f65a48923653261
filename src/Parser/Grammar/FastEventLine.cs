using System.Text;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// A hand-written reading of the event line for the import hot path, tried before <see cref="EventLineGrammar.Line"/>.
/// It follows the grammar step by step (same shortest FILE, same first call that ends the line) and answers
/// Match, NoMatch or Unknown. Whatever it is not sure of — non-ASCII text (Unicode digits and spaces), numbers that
/// overflow, over-long pointers — is Unknown, and the Pidgin grammar decides. Tests check that where it answers,
/// it agrees with the grammar.
/// </summary>
public static class FastEventLine
{
    public enum Verdict { NoMatch, Match, Unknown }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Verdict TryParse(ReadOnlySpan<char> s, out EventLine? ev)
    {
        ev = null;
        if (!Ascii.IsValid(s)) return Verdict.Unknown;

        // PID: blanks, digits, one space.
        int i = SkipBlanks(s, 0);
        var pid = Number(s, ref i);
        if (pid.Verdict != Verdict.Match) return pid.Verdict;
        if (pid.Value > int.MaxValue) return Verdict.Unknown;
        if (i >= s.Length || s[i] != ' ') return Verdict.NoMatch;
        int fileStart = i + 1;

        // FILE:LINE -> : the first colon followed by digits, blanks and "-> ".
        int fileEnd = -1, next = 0;
        long line = 0;
        for (int k = fileStart; k < s.Length; k++)
        {
            if (s[k] != ':') continue;
            int j = k + 1;
            var n = Number(s, ref j);
            if (n.Verdict == Verdict.Unknown) return Verdict.Unknown;
            if (n.Verdict == Verdict.NoMatch) continue;
            if (n.Value > int.MaxValue) return Verdict.Unknown;
            j = SkipBlanks(s, j);
            if (!s[j..].StartsWith("-> ", StringComparison.Ordinal)) continue;
            fileEnd = k;
            line = n.Value;
            next = j + 3;
            break;
        }
        if (fileEnd < 0) return Verdict.NoMatch;

        // FUNCTION CALL: the first space after which a call runs to the end of the line.
        for (int p = next; p < s.Length; p++)
        {
            if (s[p] != ' ') continue;
            var v = TryCall(s[(p + 1)..], out var call);
            if (v == Verdict.NoMatch) continue;
            if (v == Verdict.Unknown) return Verdict.Unknown;
            ev = new EventLine((int)pid.Value, s[fileStart..fileEnd].Trim().ToString(), (int)line, s[next..p].ToString(), call);
            return Verdict.Match;
        }
        return Verdict.NoMatch;
    }

    enum Family { Libc, PyObject, PyRaw }

    static readonly (string Name, CallKind Kind, Family Family)[] Apis =
    [
        ("malloc", CallKind.Malloc, Family.Libc), ("calloc", CallKind.Calloc, Family.Libc),
        ("realloc", CallKind.Realloc, Family.Libc), ("free", CallKind.Free, Family.Libc),
        ("_PyObject_Malloc", CallKind.Malloc, Family.PyObject), ("_PyObject_Calloc", CallKind.Calloc, Family.PyObject),
        ("_PyObject_Realloc", CallKind.Realloc, Family.PyObject), ("_PyObject_Free", CallKind.Free, Family.PyObject),
        ("_PyMem_RawMalloc", CallKind.Malloc, Family.PyRaw), ("_PyMem_RawCalloc", CallKind.Calloc, Family.PyRaw),
        ("_PyMem_RawRealloc", CallKind.Realloc, Family.PyRaw), ("_PyMem_RawFree", CallKind.Free, Family.PyRaw),
    ];

    /// <summary>A call as CallGrammar.Call reads it, which must end the line (trailing blanks allowed).</summary>
    static Verdict TryCall(ReadOnlySpan<char> c, out MemoryCall call)
    {
        call = default;
        if (c.IsEmpty || c[0] is not ('m' or 'c' or 'r' or 'f' or '_')) return Verdict.NoMatch;
        foreach (var (name, kind, family) in Apis)
        {
            if (!c.StartsWith(name, StringComparison.Ordinal) || c.Length <= name.Length || c[name.Length] != '(') continue;
            int i = name.Length + 1;
            var v = kind switch
            {
                CallKind.Malloc => Malloc(c, ref i, name, family, out call),
                CallKind.Calloc => Calloc(c, ref i, name, family, out call),
                CallKind.Realloc => Realloc(c, ref i, name, family, out call),
                _ => Free(c, ref i, name, out call),
            };
            if (v != Verdict.Match) return v;
            return SkipBlanks(c, i) == c.Length ? Verdict.Match : Verdict.NoMatch;
        }
        return Verdict.NoMatch;
    }

    static Verdict Malloc(ReadOnlySpan<char> c, ref int i, string api, Family family, out MemoryCall call)
    {
        call = default;
        var size = Number(c, ref i);
        if (size.Verdict != Verdict.Match) return size.Verdict;
        var ptr = CloseThenResult(c, ref i, api, family);
        if (ptr.Verdict != Verdict.Match) return ptr.Verdict;
        call = new MemoryCall(CallKind.Malloc, api, size.Value, ptr.Value);
        return Verdict.Match;
    }

    static Verdict Calloc(ReadOnlySpan<char> c, ref int i, string api, Family family, out MemoryCall call)
    {
        call = default;
        var n = Number(c, ref i);
        if (n.Verdict != Verdict.Match) return n.Verdict;
        if (!Expect(c, ref i, ", ")) return Verdict.NoMatch;
        var s = Number(c, ref i);
        if (s.Verdict != Verdict.Match) return s.Verdict;
        var ptr = CloseThenResult(c, ref i, api, family);
        if (ptr.Verdict != Verdict.Match) return ptr.Verdict;
        if (s.Value != 0 && n.Value > long.MaxValue / s.Value) return Verdict.Unknown; // the grammar rejects the overflow
        call = new MemoryCall(CallKind.Calloc, api, n.Value * s.Value, ptr.Value, Count: n.Value, ElementSize: s.Value);
        return Verdict.Match;
    }

    static Verdict Realloc(ReadOnlySpan<char> c, ref int i, string api, Family family, out MemoryCall call)
    {
        call = default;
        var old = Pointer(c, ref i);
        if (old.Verdict != Verdict.Match) return old.Verdict;
        if (!Expect(c, ref i, ", ")) return Verdict.NoMatch;
        var size = Number(c, ref i);
        if (size.Verdict != Verdict.Match) return size.Verdict;
        if (!Expect(c, ref i, ")")) return Verdict.NoMatch;
        long ptr = old.Value;
        if (family != Family.PyObject) // _PyObject_Realloc prints no result: resized in place
        {
            var r = Result(c, ref i, api, family);
            if (r.Verdict != Verdict.Match) return r.Verdict;
            ptr = r.Value;
        }
        call = new MemoryCall(CallKind.Realloc, api, size.Value, ptr, OldPointer: old.Value);
        return Verdict.Match;
    }

    static Verdict Free(ReadOnlySpan<char> c, ref int i, string api, out MemoryCall call)
    {
        call = default;
        var p = Pointer(c, ref i);
        if (p.Verdict != Verdict.Match) return p.Verdict;
        if (!Expect(c, ref i, ")")) return Verdict.NoMatch;
        call = new MemoryCall(CallKind.Free, api, 0, p.Value);
        return Verdict.Match;
    }

    static (Verdict Verdict, long Value) CloseThenResult(ReadOnlySpan<char> c, ref int i, string api, Family family) =>
        Expect(c, ref i, ")") ? Result(c, ref i, api, family) : (Verdict.NoMatch, 0);

    /// <summary>libc: <c> pntr 0xP</c>; the Python APIs: <c> API returns 0xP</c>.</summary>
    static (Verdict Verdict, long Value) Result(ReadOnlySpan<char> c, ref int i, string api, Family family)
    {
        if (family == Family.Libc)
        {
            if (!Expect(c, ref i, " pntr ")) return (Verdict.NoMatch, 0);
        }
        else if (!Expect(c, ref i, " ") || !Expect(c, ref i, api) || !Expect(c, ref i, " returns ")) return (Verdict.NoMatch, 0);
        return Pointer(c, ref i);
    }

    static bool Expect(ReadOnlySpan<char> c, ref int i, string literal)
    {
        if (!c[i..].StartsWith(literal, StringComparison.Ordinal)) return false;
        i += literal.Length;
        return true;
    }

    /// <summary>Unsigned decimal digits (at least one) that fit a long.</summary>
    static (Verdict Verdict, long Value) Number(ReadOnlySpan<char> s, ref int i)
    {
        int start = i;
        long v = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            if (i - start >= 18) return (Verdict.Unknown, 0); // may overflow: leave it to the grammar
            v = v * 10 + (s[i] - '0');
            i++;
        }
        return i == start ? (Verdict.NoMatch, 0) : (Verdict.Match, v);
    }

    /// <summary><c>0x</c> and 1 to 16 hex digits, kept as the 64-bit pattern.</summary>
    static (Verdict Verdict, long Value) Pointer(ReadOnlySpan<char> s, ref int i)
    {
        if (!Expect(s, ref i, "0x")) return (Verdict.NoMatch, 0);
        int start = i;
        ulong v = 0;
        while (i < s.Length && char.IsAsciiHexDigit(s[i]))
        {
            if (i - start >= 16) return (Verdict.Unknown, 0);
            v = (v << 4) | (uint)HexValue(s[i]);
            i++;
        }
        return i == start ? (Verdict.NoMatch, 0) : (Verdict.Match, unchecked((long)v));
    }

    static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    static int SkipBlanks(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
        return i;
    }
}
