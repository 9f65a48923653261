using System.Text;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser.Grammar;

/// <summary>Where the parts of an event line read by <see cref="FastEventLine"/> are: offsets into the line, and the call.</summary>
public readonly record struct EventFields(int Pid, int FileStart, int FileLength, int Line, int FunctionStart, int FunctionLength, MemoryCall Call,
    long? Time = null);

/// <summary>
/// A hand-written reading of the event line for the import hot path, tried before <see cref="EventLineGrammar.Line"/>.
/// It reads the line's bytes (so the import needs no string per line) and follows the grammar step by step (same
/// shortest FILE, same first call that ends the line), answering Match, NoMatch or Unknown. Whatever it is not sure
/// of — non-ASCII text (Unicode digits and spaces), numbers that overflow, over-long pointers — is Unknown, and the
/// Pidgin grammar decides. Tests check that where it answers, it agrees with the grammar.
/// </summary>
public static class FastEventLine
{
    public enum Verdict { NoMatch, Match, Unknown }

    /// <summary>A line as text: read as its ASCII bytes (anything else is Unknown).</summary>
    public static Verdict TryParse(ReadOnlySpan<char> s, out EventLine? ev)
    {
        ev = null;
        if (!Ascii.IsValid(s)) return Verdict.Unknown;
        byte[]? rented = s.Length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(s.Length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[s.Length] : rented.AsSpan(0, s.Length);
        Ascii.FromUtf16(s, bytes, out _);
        var verdict = TryParse(bytes, out var f);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        if (verdict == Verdict.Match)
            ev = new EventLine(f.Pid, s.Slice(f.FileStart, f.FileLength).ToString(), f.Line, s.Slice(f.FunctionStart, f.FunctionLength).ToString(), f.Call, f.Time);
        return verdict;
    }

    /// <summary>
    /// A line as bytes (without its newline). Only ASCII is read; a line with any other byte is Unknown. The file's
    /// range is trimmed of white space as the grammar trims it.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Verdict TryParse(ReadOnlySpan<byte> s, out EventFields fields)
    {
        fields = default;
        if (!Ascii.IsValid(s)) return Verdict.Unknown;

        // TIME: "@", digits, one space, when the line has a stamp.
        int i = 0;
        long? time = null;
        if (s.Length > 0 && s[0] == '@')
        {
            i = 1;
            var t = Number(s, ref i);
            if (t.Verdict != Verdict.Match) return t.Verdict;
            if (i >= s.Length || s[i] != ' ') return Verdict.NoMatch;
            time = t.Value;
            i++;
        }

        // PID: blanks, digits, one space.
        i = SkipBlanks(s, i);
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
            if (!s[j..].StartsWith("-> "u8)) continue;
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
            int fs = fileStart, fe = fileEnd; // string.Trim: ASCII white space is ' ' and \t..\r
            while (fs < fe && IsWhiteSpace(s[fs])) fs++;
            while (fe > fs && IsWhiteSpace(s[fe - 1])) fe--;
            fields = new EventFields((int)pid.Value, fs, fe - fs, (int)line, next, p - next, call, time);
            return Verdict.Match;
        }
        return Verdict.NoMatch;
    }

    static bool IsWhiteSpace(byte b) => b == ' ' || (uint)(b - '\t') <= '\r' - '\t';

    enum Family { Libc, PyObject, PyRaw }

    sealed record Api(string Name, byte[] Bytes, CallKind Kind, Family Family);

    static Api A(string name, CallKind kind, Family family) => new(name, Encoding.ASCII.GetBytes(name), kind, family);

    static readonly Api[] Apis =
    [
        A("malloc", CallKind.Malloc, Family.Libc), A("calloc", CallKind.Calloc, Family.Libc),
        A("realloc", CallKind.Realloc, Family.Libc), A("free", CallKind.Free, Family.Libc),
        A("_PyObject_Malloc", CallKind.Malloc, Family.PyObject), A("_PyObject_Calloc", CallKind.Calloc, Family.PyObject),
        A("_PyObject_Realloc", CallKind.Realloc, Family.PyObject), A("_PyObject_Free", CallKind.Free, Family.PyObject),
        A("_PyMem_RawMalloc", CallKind.Malloc, Family.PyRaw), A("_PyMem_RawCalloc", CallKind.Calloc, Family.PyRaw),
        A("_PyMem_RawRealloc", CallKind.Realloc, Family.PyRaw), A("_PyMem_RawFree", CallKind.Free, Family.PyRaw),
    ];

    /// <summary>A call as CallGrammar.Call reads it, which must end the line (trailing blanks allowed).</summary>
    static Verdict TryCall(ReadOnlySpan<byte> c, out MemoryCall call)
    {
        call = default;
        if (c.IsEmpty || c[0] is not ((byte)'m' or (byte)'c' or (byte)'r' or (byte)'f' or (byte)'_')) return Verdict.NoMatch;
        foreach (var api in Apis)
        {
            var name = api.Bytes;
            if (!c.StartsWith(name) || c.Length <= name.Length || c[name.Length] != '(') continue;
            int i = name.Length + 1;
            var v = api.Kind switch
            {
                CallKind.Malloc => Malloc(c, ref i, api, out call),
                CallKind.Calloc => Calloc(c, ref i, api, out call),
                CallKind.Realloc => Realloc(c, ref i, api, out call),
                _ => Free(c, ref i, api, out call),
            };
            if (v != Verdict.Match) return v;
            return SkipBlanks(c, i) == c.Length ? Verdict.Match : Verdict.NoMatch;
        }
        return Verdict.NoMatch;
    }

    static Verdict Malloc(ReadOnlySpan<byte> c, ref int i, Api api, out MemoryCall call)
    {
        call = default;
        var size = Number(c, ref i);
        if (size.Verdict != Verdict.Match) return size.Verdict;
        var ptr = CloseThenResult(c, ref i, api);
        if (ptr.Verdict != Verdict.Match) return ptr.Verdict;
        call = new MemoryCall(CallKind.Malloc, api.Name, size.Value, ptr.Value);
        return Verdict.Match;
    }

    static Verdict Calloc(ReadOnlySpan<byte> c, ref int i, Api api, out MemoryCall call)
    {
        call = default;
        var n = Number(c, ref i);
        if (n.Verdict != Verdict.Match) return n.Verdict;
        if (!Expect(c, ref i, ", "u8)) return Verdict.NoMatch;
        var s = Number(c, ref i);
        if (s.Verdict != Verdict.Match) return s.Verdict;
        var ptr = CloseThenResult(c, ref i, api);
        if (ptr.Verdict != Verdict.Match) return ptr.Verdict;
        if (s.Value != 0 && n.Value > long.MaxValue / s.Value) return Verdict.Unknown; // the grammar rejects the overflow
        call = new MemoryCall(CallKind.Calloc, api.Name, n.Value * s.Value, ptr.Value, Count: n.Value, ElementSize: s.Value);
        return Verdict.Match;
    }

    static Verdict Realloc(ReadOnlySpan<byte> c, ref int i, Api api, out MemoryCall call)
    {
        call = default;
        var old = Pointer(c, ref i);
        if (old.Verdict != Verdict.Match) return old.Verdict;
        if (!Expect(c, ref i, ", "u8)) return Verdict.NoMatch;
        var size = Number(c, ref i);
        if (size.Verdict != Verdict.Match) return size.Verdict;
        if (!Expect(c, ref i, ")"u8)) return Verdict.NoMatch;
        long ptr = old.Value;
        // _PyObject_Realloc prints its result only when its return probe is on the same line; else it resized in place
        if (api.Family != Family.PyObject || SkipBlanks(c, i) < c.Length)
        {
            var r = Result(c, ref i, api);
            if (r.Verdict != Verdict.Match) return r.Verdict;
            ptr = r.Value;
        }
        call = new MemoryCall(CallKind.Realloc, api.Name, size.Value, ptr, OldPointer: old.Value);
        return Verdict.Match;
    }

    static Verdict Free(ReadOnlySpan<byte> c, ref int i, Api api, out MemoryCall call)
    {
        call = default;
        var p = Pointer(c, ref i);
        if (p.Verdict != Verdict.Match) return p.Verdict;
        if (!Expect(c, ref i, ")"u8)) return Verdict.NoMatch;
        call = new MemoryCall(CallKind.Free, api.Name, 0, p.Value);
        return Verdict.Match;
    }

    static (Verdict Verdict, long Value) CloseThenResult(ReadOnlySpan<byte> c, ref int i, Api api) =>
        Expect(c, ref i, ")"u8) ? Result(c, ref i, api) : (Verdict.NoMatch, 0);

    /// <summary>libc: <c> pntr 0xP</c>; the Python APIs: <c> API returns 0xP</c>.</summary>
    static (Verdict Verdict, long Value) Result(ReadOnlySpan<byte> c, ref int i, Api api)
    {
        if (api.Family == Family.Libc)
        {
            if (!Expect(c, ref i, " pntr "u8)) return (Verdict.NoMatch, 0);
        }
        else if (!Expect(c, ref i, " "u8) || !Expect(c, ref i, api.Bytes) || !Expect(c, ref i, " returns "u8)) return (Verdict.NoMatch, 0);
        return Pointer(c, ref i);
    }

    static bool Expect(ReadOnlySpan<byte> c, ref int i, ReadOnlySpan<byte> literal)
    {
        if (!c[i..].StartsWith(literal)) return false;
        i += literal.Length;
        return true;
    }

    /// <summary>Unsigned decimal digits (at least one) that fit a long.</summary>
    static (Verdict Verdict, long Value) Number(ReadOnlySpan<byte> s, ref int i)
    {
        int start = i;
        long v = 0;
        while (i < s.Length && (uint)(s[i] - '0') <= 9)
        {
            if (i - start >= 18) return (Verdict.Unknown, 0); // may overflow: leave it to the grammar
            v = v * 10 + (s[i] - '0');
            i++;
        }
        return i == start ? (Verdict.NoMatch, 0) : (Verdict.Match, v);
    }

    /// <summary><c>0x</c> and 1 to 16 hex digits, kept as the 64-bit pattern.</summary>
    static (Verdict Verdict, long Value) Pointer(ReadOnlySpan<byte> s, ref int i)
    {
        if (!Expect(s, ref i, "0x"u8)) return (Verdict.NoMatch, 0);
        int start = i;
        ulong v = 0;
        while (i < s.Length && char.IsAsciiHexDigit((char)s[i]))
        {
            if (i - start >= 16) return (Verdict.Unknown, 0);
            v = (v << 4) | (uint)HexValue(s[i]);
            i++;
        }
        return i == start ? (Verdict.NoMatch, 0) : (Verdict.Match, unchecked((long)v));
    }

    static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    static int SkipBlanks(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t') i++;
        return i;
    }
}
