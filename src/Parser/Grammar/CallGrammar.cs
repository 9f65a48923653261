using Pidgin;
using PyMemTrace.Parser.Model;
using static Pidgin.Parser;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// The allocator calls the toolkit scripts print, one parser per API family:
/// <code>
/// libc:      malloc(SIZE) pntr 0xP | calloc(N, S) pntr 0xP | realloc(0xOLD, SIZE) pntr 0xNEW | free(0xP)
/// pymalloc:  _PyObject_Malloc(SIZE) _PyObject_Malloc returns 0xP | _PyObject_Calloc(N, S) _PyObject_Calloc returns 0xP
///            _PyObject_Realloc(0xOLD, SIZE) [_PyObject_Realloc returns 0xNEW]  (no return: resized in place) | _PyObject_Free(0xP)
/// raw:       _PyMem_RawMalloc(SIZE) _PyMem_RawMalloc returns 0xP | _PyMem_RawCalloc(N, S) _PyMem_RawCalloc returns 0xP
///            _PyMem_RawRealloc(0xOLD, SIZE) _PyMem_RawRealloc returns 0xNEW | _PyMem_RawFree(0xP)
/// </code>
/// </summary>
public static class CallGrammar
{
    static Parser<char, string> Open(string api) => String(api + "(");
    static readonly Parser<char, char> Close = Char(')');
    static readonly Parser<char, string> ArgSeparator = String(", ");
    static Parser<char, long> Returns(string api) => String(" " + api + " returns ").Then(Pointer);
    static readonly Parser<char, long> Pntr = String(" pntr ").Then(Pointer);

    static Parser<char, MemoryCall> MallocCall(string api, Parser<char, long> result) =>
        Map((size, ptr) => new MemoryCall(CallKind.Malloc, api, size, ptr),
            Open(api).Then(Unsigned).Before(Close), result);

    static Parser<char, MemoryCall> CallocCall(string api, Parser<char, long> result) =>
        Map((n, s, ptr) => new MemoryCall(CallKind.Calloc, api, TotalOrMinusOne(n, s), ptr, Count: n, ElementSize: s),
            Open(api).Then(Unsigned), ArgSeparator.Then(Unsigned).Before(Close), result)
            .Assert(c => c.Size >= 0, "calloc size overflows");

    static long TotalOrMinusOne(long n, long s) => s != 0 && n > long.MaxValue / s ? -1 : n * s;

    static Parser<char, MemoryCall> ReallocCall(string api, Parser<char, long>? result) =>
        Map((old, size, ptr) => new MemoryCall(CallKind.Realloc, api, size, ptr ?? old, OldPointer: old),
            Open(api).Then(Pointer), ArgSeparator.Then(Unsigned).Before(Close),
            result is null ? Parser<char>.Return<long?>(null) : result.Select(p => (long?)p));

    static Parser<char, MemoryCall> FreeCall(string api) =>
        Open(api).Then(Pointer).Before(Close).Select(p => new MemoryCall(CallKind.Free, api, 0, p));

    public static readonly Parser<char, MemoryCall> Libc = OneOf(
        Try(MallocCall("malloc", Pntr)),
        Try(CallocCall("calloc", Pntr)),
        Try(ReallocCall("realloc", Pntr)),
        Try(FreeCall("free")));

    public static readonly Parser<char, MemoryCall> PyObject = OneOf(
        Try(MallocCall("_PyObject_Malloc", Returns("_PyObject_Malloc"))),
        Try(CallocCall("_PyObject_Calloc", Returns("_PyObject_Calloc"))),
        Try(ReallocCall("_PyObject_Realloc", Returns("_PyObject_Realloc"))),
        Try(ReallocCall("_PyObject_Realloc", null)),
        Try(FreeCall("_PyObject_Free")));

    public static readonly Parser<char, MemoryCall> PyRaw = OneOf(
        Try(MallocCall("_PyMem_RawMalloc", Returns("_PyMem_RawMalloc"))),
        Try(CallocCall("_PyMem_RawCalloc", Returns("_PyMem_RawCalloc"))),
        Try(ReallocCall("_PyMem_RawRealloc", Returns("_PyMem_RawRealloc"))),
        Try(FreeCall("_PyMem_RawFree")));

    /// <summary>Any call, which must end the line.</summary>
    public static readonly Parser<char, MemoryCall> Call = OneOf(Try(Libc), Try(PyObject), Try(PyRaw)).Before(LineEnd);
}
