using PyMemTrace.Capture;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Capture;

/// <summary>
/// record --native's conversion of real perf script output (fixtures/capture/perf_script.txt) into event lines with
/// ustack-style frames: exact lines, the call made inside realloc left out, the location joined by thread and time.
/// </summary>
public sealed class PerfScriptTests
{
    static (List<string> Lines, PerfScript Script) Convert(PythonLocations? locations, long minSize = 0)
    {
        var output = new StringWriter { NewLine = "\n" };
        var script = new PerfScript(output, (tid, ns) => locations?.At(tid, ns), minSize);
        foreach (var line in File.ReadLines(Fixtures.Path_("capture/perf_script.txt"))) script.Add(line);
        script.Finish();
        return (output.ToString().Split('\n').ToList(), script);
    }

    [Fact]
    public void Perf_script_becomes_event_lines_with_their_native_stacks()
    {
        var locations = new PythonLocations();
        Assert.True(locations.Add("@11445158400000 13468 /tmp/x/plant_leaks.py:49 -> plant_mallocs"));
        Assert.False(locations.Add("@11445158300000 dtrace:::BEGIN"));
        var (lines, script) = Convert(locations);

        // the free, before any Python location of its thread; its frames (an early capture had them) are not written
        Assert.Equal("@11444924874020  13468 ?:0    -> ? free(0x39370350)", lines[0]);
        // realloc(NULL, 1600), stamped at its return; the malloc it calls inside is not the program's call
        Assert.Equal("@11444924954722  13468 ?:0    -> ? realloc(0x0, 1600) pntr 0x39371560", lines[1]);
        Assert.Equal("              libc.so.6`realloc+0x0", lines[2]);
        Assert.Equal("              libc.so.6`read_alias_file+0x431", lines[3]);
        Assert.Equal("              python3.11`0x228016", lines[9]); // no symbol: the address in the file
        Assert.Equal("              libc.so.6`__libc_start_main+0x84", lines[13]); // perf's @@GLIBC_2.34 dropped
        Assert.Equal("              python3.11`_start+0x20", lines[14]);
        Assert.Equal("", lines[15]);
        // the planted ctypes malloc, with the Python location of its thread at its entry and all 19 frames
        Assert.Equal("@11445158410272  13468 /tmp/x/plant_leaks.py:49   -> plant_mallocs malloc(1111) pntr 0x39491490", lines[16]);
        Assert.Equal([
            "libc.so.6`malloc+0x0", "libffi.so.8.1.2`0x6f79", "libffi.so.8.1.2`0x640d", "libffi.so.8.1.2`ffi_call+0xcc",
            "_ctypes.cpython-311-x86_64-linux-gnu.so`0xa42a", "_ctypes.cpython-311-x86_64-linux-gnu.so`0x9612",
            "python3.11`_PyObject_MakeTpCall+0x222", "python3.11`_PyEval_EvalFrameDefault+0x8ef", "python3.11`PyEval_EvalCode+0xba",
            "python3.11`0x247d96", "python3.11`0x2456ee", "python3.11`0x25176f", "python3.11`_PyRun_SimpleFileObject+0x18a",
            "python3.11`_PyRun_AnyFileObject+0x43", "python3.11`Py_RunMain+0x20e", "python3.11`Py_BytesMain+0x26",
            "libc.so.6`__libc_start_call_main+0x79", "libc.so.6`__libc_start_main+0x84", "python3.11`_start+0x20"],
            lines[17..36].Select(l => l.TrimStart()));
        Assert.All(lines[17..36], l => Assert.StartsWith("              ", l));
        Assert.Equal(["", ""], lines[36..]); // the blank after the stack, and the end of the text
        Assert.Equal(3, script.Events);
        Assert.Equal(2, script.WithStack);
        Assert.Equal(0, script.Incomplete); // both reach _start
        Assert.Equal(0, script.AllocatorOnly);
        Assert.Equal(1, script.Unreturned); // malloc(2222): the capture ends before its return
    }

    /// <summary>
    /// A launched program's pid first runs the gate's shell: its mallocs after the gate opened (fixtures/capture/
    /// perf_script_gate.txt, a real gated capture) are the shell's, left out until the exec when the pid is given.
    /// </summary>
    [Fact]
    public void The_gate_shells_calls_before_the_exec_are_left_out()
    {
        static (List<string> Lines, PerfScript Script) Gate(int launchedPid)
        {
            var output = new StringWriter { NewLine = "\n" };
            var script = new PerfScript(output, (_, _) => null, launchedPid: launchedPid);
            foreach (var line in File.ReadLines(Fixtures.Path_("capture/perf_script_gate.txt"))) script.Add(line);
            script.Finish();
            return (output.ToString().Split('\n').ToList(), script);
        }

        var (lines, script) = Gate(11384);
        Assert.Equal(6, script.GateEvents);
        Assert.Equal(1, script.Execs);
        Assert.Equal(1, script.Events);
        Assert.Equal("@21332114400559  11384 ?:0    -> ? malloc(32) pntr 0x39ddd2a0", lines[0]);
        Assert.Equal("              libc.so.6`malloc+0x0", lines[1]);
        Assert.Equal("              python3.11`_start+0x20", lines[10]);
        Assert.Equal(0, script.Incomplete);

        // Another pid (or none: an attached process) keeps them: the shell's six mallocs come first, without stacks.
        var (all, kept) = Gate(0);
        Assert.Equal(0, kept.GateEvents);
        Assert.Equal(7, kept.Events);
        Assert.Equal("@21332113225326  11384 ?:0    -> ? malloc(3) pntr 0x560d595b6e80", all[0]);
        Assert.Equal(1, kept.WithStack);
    }

    /// <summary>
    /// Stacks that stop right after the allocator's frame (fixtures/capture/perf_script_cut.txt, a real run where perf
    /// could not unwind libc) are cut short and counted as such, which is what record's warning reads.
    /// </summary>
    [Fact]
    public void Stacks_that_stop_after_the_allocator_are_counted()
    {
        var output = new StringWriter { NewLine = "\n" };
        var script = new PerfScript(output, (_, _) => null, launchedPid: 7510);
        foreach (var line in File.ReadLines(Fixtures.Path_("capture/perf_script_cut.txt"))) script.Add(line);
        script.Finish();
        var lines = output.ToString().Split('\n');
        Assert.Equal(6, script.WithStack);
        Assert.Equal(6, script.Incomplete);
        Assert.Equal(6, script.AllocatorOnly);
        Assert.Equal("@21121394224015   7510 ?:0    -> ? malloc(32) pntr 0x1f55a2a0", lines[0]);
        Assert.Equal(["              libc.so.6`malloc+0x0", "              0xffffffffffffffff", ""], lines[1..4]);
        Assert.Equal(["              libc.so.6`malloc+0x0", "              0x7fff45a5630f", ""], lines[^4..^1]);
    }

    [Fact]
    public void Min_size_leaves_out_small_allocations_and_frees_of_blocks_not_written()
    {
        var (lines, script) = Convert(null, minSize: 1111);
        Assert.Equal(2, script.Events); // realloc 1600 and malloc 1111; the free is of a block never written
        Assert.StartsWith("@11444924954722  13468 ?:0    -> ? realloc(0x0, 1600)", lines[0]);
        var (_, none) = Convert(null, minSize: 2000);
        Assert.Equal(0, none.Events);
    }
}
