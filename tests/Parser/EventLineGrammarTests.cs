using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Tests.Parser;

public class EventLineGrammarTests
{
    static EventLine Parse(string line) => EventLineGrammar.TryParse(line) ?? throw new Xunit.Sdk.XunitException("not an event: " + line);

    [Fact]
    public void Libc_malloc_line_of_the_seed()
    {
        var ev = Parse(" 11672     ex_dtrace.py:48   -> create_cmalloc_list malloc(1477) pntr 0x7fa8e6071400");
        Assert.Equal(new EventLine(11672, "ex_dtrace.py", 48, "create_cmalloc_list",
            new MemoryCall(CallKind.Malloc, "malloc", 1477, 0x7fa8e6071400)), ev);
    }

    [Theory]
    [InlineData("calloc(3, 40) pntr 0x10", CallKind.Calloc, "calloc", 120L, 0x10L, 0L)]
    [InlineData("realloc(0x20, 64) pntr 0x30", CallKind.Realloc, "realloc", 64L, 0x30L, 0x20L)]
    [InlineData("free(0x7fa8e6071400)", CallKind.Free, "free", 0L, 0x7fa8e6071400L, 0L)]
    [InlineData("free(0x0)", CallKind.Free, "free", 0L, 0L, 0L)]
    [InlineData("_PyObject_Malloc(488) _PyObject_Malloc returns 0x1033cebd0", CallKind.Malloc, "_PyObject_Malloc", 488L, 0x1033cebd0L, 0L)]
    [InlineData("_PyObject_Calloc(2, 8) _PyObject_Calloc returns 0x1030be590", CallKind.Calloc, "_PyObject_Calloc", 16L, 0x1030be590L, 0L)]
    [InlineData("_PyObject_Realloc(0x1034583a0, 64)", CallKind.Realloc, "_PyObject_Realloc", 64L, 0x1034583a0L, 0x1034583a0L)]
    [InlineData("_PyObject_Realloc(0x1034583a0, 640) _PyObject_Realloc returns 0x103460000", CallKind.Realloc, "_PyObject_Realloc", 640L, 0x103460000L, 0x1034583a0L)]
    [InlineData("_PyObject_Realloc(0x0, 24)", CallKind.Realloc, "_PyObject_Realloc", 24L, 0L, 0L)]
    [InlineData("_PyObject_Free(0x103429810)", CallKind.Free, "_PyObject_Free", 0L, 0x103429810L, 0L)]
    [InlineData("_PyMem_RawMalloc(512) _PyMem_RawMalloc returns 0x7f859ee684b0", CallKind.Malloc, "_PyMem_RawMalloc", 512L, 0x7f859ee684b0L, 0L)]
    [InlineData("_PyMem_RawCalloc(4, 4) _PyMem_RawCalloc returns 0x50", CallKind.Calloc, "_PyMem_RawCalloc", 16L, 0x50L, 0L)]
    [InlineData("_PyMem_RawRealloc(0x7f859ee681b0, 88) _PyMem_RawRealloc returns 0x7f859ee681c0", CallKind.Realloc, "_PyMem_RawRealloc", 88L, 0x7f859ee681c0L, 0x7f859ee681b0L)]
    [InlineData("_PyMem_RawFree(0x7f859ee676e0)", CallKind.Free, "_PyMem_RawFree", 0L, 0x7f859ee676e0L, 0L)]
    public void Every_call_of_the_three_styles(string call, CallKind kind, string api, long size, long pointer, long oldPointer)
    {
        var ev = Parse(" 30273     ex_dtrace.py:89   -> create_py_array_list " + call);
        Assert.Equal(kind, ev.Call.Kind);
        Assert.Equal(api, ev.Call.Api);
        Assert.Equal(size, ev.Call.Size);
        Assert.Equal(pointer, ev.Call.Pointer);
        Assert.Equal(oldPointer, ev.Call.OldPointer);
        Assert.Equal("create_py_array_list", ev.Function);
    }

    [Theory]
    [InlineData(" 15114      __init__.py:2121 -> shutdown malloc(40) pntr 0x1", "__init__.py", 2121, "shutdown")]
    [InlineData("  4242                 :45   ->  malloc(8) pntr 0x1", "", 45, "")]
    [InlineData("  4242 <frozen importlib._bootstrap>:219  -> _call_with_frames_removed malloc(8) pntr 0x1", "<frozen importlib._bootstrap>", 219, "_call_with_frames_removed")]
    [InlineData("  4242 /Users/dev/venvs/py39/lib/python3.9/site-packages/pkg1/re.py:12   -> a b c malloc(8) pntr 0x1", "/Users/dev/venvs/py39/lib/python3.9/site-packages/pkg1/re.py", 12, "a b c")]
    [InlineData("  4242 C:\\work\\x.py:7    -> <lambda> free(0x1)", "C:\\work\\x.py", 7, "<lambda>")]
    [InlineData("  4242 ...ages/numpy/core/_methods.py:31   -> ction__ internals> free(0x1)", "...ages/numpy/core/_methods.py", 31, "ction__ internals>")]
    [InlineData("  4242     x.py:1    -> Æ\u00a04A/ free(0x1)", "x.py", 1, "Æ\u00a04A/")]
    public void Odd_files_and_functions(string line, string file, int lineNo, string function)
    {
        var ev = Parse(line);
        Assert.Equal((file, lineNo, function), (ev.File, ev.Line, ev.Function));
    }

    [Theory]
    [InlineData(" 11672     ex_dtrace.py:48   -> create_cmalloc_list malloc(1477) pntr 0x7fa8e60714")]   // still a whole pointer
    public void A_shorter_pointer_is_still_a_pointer(string line) => Assert.NotNull(EventLineGrammar.TryParse(line));

    [Theory]
    [InlineData(" 11672     ex_dtrace.py:48   -> create_cmalloc_list malloc(1477) pntr")]                  // cut before the pointer
    [InlineData(" 11672     ex_dtrace.py:48   -> create_cmalloc_list malloc(14")]                          // cut mid-call
    [InlineData(" 11672     ex_dtrace.py:48   -> create_cmalloc_list malloc(1477) pntr 0x7fa8e6071400 junk")]
    [InlineData(" 11672     ex_dtrace.py:48   -> create_cmalloc_list mallocx(1477) pntr 0x7fa8e6071400")]
    [InlineData(" 11672     ex_dtrace.py:48   -> create_cmalloc_list _PyMem_RawRealloc(0x1, 8)")]          // raw realloc needs its return
    [InlineData("     ex_dtrace.py:48   -> create_cmalloc_list free(0x1)")]                                  // no pid
    [InlineData(" 11672     ex_dtrace.py   -> create_cmalloc_list free(0x1)")]                               // no line
    [InlineData(" 11672     ex_dtrace.py:48   -> f malloc(99999999999999999999) pntr 0x1")]                 // size overflows
    [InlineData(" 11672     ex_dtrace.py:48   -> f free(0x11112222333344445)")]                              // 17 hex digits
    [InlineData("...")]
    [InlineData("")]
    public void Lines_that_are_not_events(string line) => Assert.Null(EventLineGrammar.TryParse(line));

    [Fact]
    public void Trailing_blanks_after_the_call_are_allowed()
    {
        Assert.Equal(0x10, Parse(" 1 a.py:1 -> f free(0x10)   ").Call.Pointer);
    }
}
