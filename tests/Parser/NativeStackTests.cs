using System.Text;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Parser;

/// <summary>
/// The native call stack printed after an event (DTrace's <c>printf(...); ustack();</c>, <c>record --native</c>) is
/// read as that event's stack, root first, and every line is still accounted for (frames as stack notes).
/// </summary>
public sealed class NativeStackTests
{
    sealed class Sink : ITraceSink
    {
        public readonly List<string> Calls = new();
        public readonly List<(long Line, string Kind)> Notes = new();
        public readonly List<long> Unparsed = new();
        public void OnEvent(long lineNumber, EventLine ev) => Calls.Add($"event {lineNumber} {ev.Call.Api} {ev.Call.Size}");
        public void OnStack(long eventLine, IReadOnlyList<NativeFrame> rootFirst) =>
            Calls.Add($"stack {eventLine} " + string.Join(";", rootFirst.Select(f => f.Module + "`" + f.Function)));
        public void OnFlow(long lineNumber, FlowLine flow) { }
        public void OnNote(long lineNumber, string kind, string text) => Notes.Add((lineNumber, kind));
        public void OnUnparsed(long lineNumber, string text) => Unparsed.Add(lineNumber);
        public void OnAggregation(AggregationTable table) { }
    }

    static Sink Read(string log)
    {
        var sink = new Sink();
        new TraceReader(sink).Read(new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(log))));
        return sink;
    }

    /// <summary>oracle/dtrace-utils' expected ustack(25) output (UPL-1.0, see fixtures/ustack/README.md).</summary>
    static string OracleUstack => File.ReadAllText(Fixtures.Path_("ustack/tst.ustack25_pid.r"));

    [Theory]
    [InlineData("")]   // printf without a newline: ustack()'s own first newline ends the event line
    [InlineData("\n")] // printf("...\n"): a blank line before the frames
    public void Dtrace_ustack_after_an_event_is_its_stack_root_first(string printfEnd)
    {
        var log = "dtrace:::BEGIN\n  4242 /tmp/app.py:7    -> f malloc(64) pntr 0x1000" + printfEnd + OracleUstack
                  + "  4242 /tmp/app.py:8    -> f free(0x1000)\ndtrace:::END\n";
        var sink = Read(log);
        var expected = "stack 2 " + string.Join(";", "abcdefghijklmnopqrstuvwxyz".Select(c => $"ustack-tst-basic`myfunc_{c}"));
        Assert.Equal([expected, "event 2 malloc 64", "event " + (printfEnd == "" ? 30 : 31) + " free 0"], sink.Calls);
        Assert.Empty(sink.Unparsed);
        Assert.Equal(26, sink.Notes.Count(n => n.Kind == NoteKind.Stack));
        // every line reaches the sink once: 2 events, BEGIN, END, the blank lines, 26 frames
        int lines = log.Split('\n').Length - 1;
        Assert.Equal(lines, sink.Notes.Count + 2);
    }

    [Fact]
    public void Record_native_frames_give_module_and_function_offsets_dropped()
    {
        var log = """
            @5012346790417 dtrace:::BEGIN
            @5012346790418  13468 /tmp/p.py:49   -> plant_mallocs malloc(1111) pntr 0x55d5c3a4e630
                          libc.so.6`malloc+0x0
                          libffi.so.8`0x6f79
                          libffi.so.8`ffi_call+0xcc
                          _ctypes.cpython-311-x86_64-linux-gnu.so`0xa42a
                          python3.11`_PyEval_EvalFrameDefault+0x8ef
                          0x7ffd2a3b1000
                          python3.11`_start+0x20

            @5012346790419  13468 /tmp/p.py:50   -> plant_mallocs malloc(2222) pntr 0x55d5c3a4e640
            @5012346790420 dtrace:::END

            """;
        var sink = Read(log);
        Assert.Equal([
            "stack 2 python3.11`_start;?`0x7ffd2a3b1000;python3.11`_PyEval_EvalFrameDefault;_ctypes.cpython-311-x86_64-linux-gnu.so`0xa42a;libffi.so.8`ffi_call;libffi.so.8`0x6f79;libc.so.6`malloc",
            "event 2 malloc 1111", "event 11 malloc 2222"], sink.Calls);
        Assert.Empty(sink.Unparsed);
    }

    [Fact]
    public void Indented_text_that_is_no_frame_is_not_a_stack()
    {
        var sink = Read("dtrace:::BEGIN\n  4242 /tmp/app.py:7    -> f malloc(64) pntr 0x1000\n   just some output\ndtrace:::END\n");
        Assert.Equal(["event 2 malloc 64"], sink.Calls);
        Assert.Equal([3L], sink.Unparsed);
    }

    [Fact]
    public void A_stack_is_stored_as_the_event_stack_and_shows_in_leaks_by_stack()
    {
        using var dir = new TempDir();
        var log = dir.File("n.log");
        File.WriteAllText(log, "dtrace:::BEGIN\n  4242 /tmp/app.py:7    -> f malloc(64) pntr 0x1000\n" +
            "              libc.so.6`malloc+0x0\n              libffi.so.8`ffi_call+0xcc\n              python3.11`_start+0x20\n\ndtrace:::END\n");
        Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        var rows = Pmanalyze.Ok("leaks", "--by", "stack", "--db", dir.Db, "--format", "json").Json.AsArray();
        var row = Assert.Single(rows);
        Assert.Equal("python3.11:_start;libffi.so.8:ffi_call;libc.so.6:malloc;/tmp/app.py:f:7", (string)row!["stack"]!);
        Assert.Equal(64, (long)row["bytes"]!);
    }
}
