using System.Diagnostics;
using System.Text.Json.Nodes;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Capture;

/// <summary>
/// Ground truth for `pmanalyze record`: plant_leaks.py plants known blocks and writes them down; a real bpftrace
/// capture of it, imported, must give every planted block (pointer, size, file, line, function) and nothing at the
/// line that frees seven blocks — started by record, and attached to with --pid, in each mode. Needs root, bpftrace
/// and a Python with USDT probes; skipped, saying which is missing, elsewhere. They run alone (<see cref="LiveCapture"/>).
/// </summary>
[Collection(LiveCapture.Name)]
public class RecordTests
{
    /// <summary>
    /// The fixture, copied into the test's scratch folder: a short path, as bpftrace 0.17 prints at most 71 bytes of a
    /// file name (toolkit/README.md), which a build folder's path can exceed.
    /// </summary>
    static string Fixture(TempDir dir, string name)
    {
        var copy = dir.File(name);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "capture", name), copy);
        return copy;
    }

    [TracingTheory]
    [InlineData("flow")]
    [InlineData("object")]
    [InlineData("raw")]
    public void Record_started_program_gives_every_planted_block(string mode)
    {
        using var dir = new TempDir();
        string log = dir.File("trace.log"), planted = dir.File("planted.json");
        var run = Pmanalyze.Ok("record", "-o", log, "--mode", mode, "--", Tracing.Python, Fixture(dir, "plant_leaks.py"), mode, planted);
        AssertComplete(run.Stderr);
        AssertPlantedBlocks(dir, log, planted, mode);
    }

    [TracingTheory]
    [InlineData("flow")]
    [InlineData("object")]
    [InlineData("raw")]
    public void Record_attached_with_pid_gives_every_planted_block(string mode)
    {
        using var dir = new TempDir();
        string log = dir.File("trace.log"), planted = dir.File("planted.json"), gate = dir.File("gate");
        var program = new ProcessStartInfo(Tracing.Python) { UseShellExecute = false };
        foreach (var a in new[] { Fixture(dir, "plant_leaks.py"), mode, planted, gate }) program.ArgumentList.Add(a);
        if (mode != "flow") program.Environment["PYTHONMALLOC"] = "debug"; // object and raw probe the debug hooks
        using var python = Process.Start(program)!;
        try
        {
            var record = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "pmanalyze.dll"), "record", "-o", log, "--mode", mode, "--pid", python.Id.ToString() })
                record.ArgumentList.Add(a);
            using var recorder = Process.Start(record)!;
            var first = recorder.StandardError.ReadLine() ?? "";
            Assert.Contains($"attached to pid {python.Id}", first);
            File.WriteAllText(gate, ""); // the program plants only now, with the probes in place
            var rest = recorder.StandardError.ReadToEndAsync();
            Assert.True(recorder.WaitForExit(120_000), "record --pid did not stop when the process exited");
            Assert.Equal(0, recorder.ExitCode);
            AssertComplete(rest.Result);
        }
        finally
        {
            if (!python.HasExited) python.Kill();
        }
        AssertPlantedBlocks(dir, log, planted, mode);
    }

    [TracingFact]
    public void Threads_freeing_each_others_blocks_come_out_in_time_order()
    {
        using var dir = new TempDir();
        string log = dir.File("trace.log"), planted = dir.File("planted.json");
        var run = Pmanalyze.Ok("record", "-o", log, "--", Tracing.Python, Fixture(dir, "threads_handoff.py"), planted);
        AssertComplete(run.Stderr);
        // The log is in stamp order, END last.
        long previous = 0;
        foreach (var line in File.ReadLines(log))
            if (PyMemTrace.Capture.TimeOrder.TrySplit(line, out long stamp, out _))
            {
                Assert.True(stamp >= previous, $"stamp {stamp} after {previous}");
                previous = stamp;
            }
        Assert.EndsWith("dtrace:::END", File.ReadLines(log).Last());
        var truth = JsonNode.Parse(File.ReadAllText(planted))!;
        string file = (string)truth["file"]!;
        int handoffs = (int)truth["threads"]! * (int)truth["rounds"]!;
        Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        var rows = Pmanalyze.Ok("query", "--db", dir.Db, "--format", "json",
            $"SELECT e.kind, coalesce(e.status, '') AS status, s.line, count(*) AS n, sum(e.leaked) AS leaked FROM events e JOIN sites s ON s.id = e.site_id " +
            $"WHERE s.file = '{file}' GROUP BY 1, 2, 3").Json.AsArray();
        long Count(string kind, string status, int line) =>
            rows.Where(r => (string)r!["kind"]! == kind && (string)r["status"]! == status && (int)r["line"]! == line).Sum(r => (long)r!["n"]!);
        int mallocLine = (int)truth["malloc_line"]!, freeLine = (int)truth["free_line"]!;
        // Every handed-off block: allocated in one thread, freed in another, the free after the malloc.
        Assert.Equal(handoffs, Count("malloc", "", mallocLine));
        Assert.Equal(handoffs, Count("free", "freed", freeLine));
        Assert.Equal(0, rows.Where(r => (string)r!["status"]! == "unknown").Sum(r => (long)r!["n"]!));
        // The only leaks of the threads are the kept blocks (module-level set-up keeps a few blocks of its own).
        var leaks = Leaks(dir).Where(r => (string)r["file"]! == file && (string)r["function"]! == "worker").ToList();
        var kept = truth["blocks"]!.AsArray();
        Assert.Equal(kept.Count, leaks.Count);
        foreach (var block in kept)
            Assert.Contains(leaks, r => (string)r["pointer"]! == (string)block!["pointer"]! && (long)r["size"]! == (long)block["size"]!
                && (int)r["line"]! == (int)block["line"]!);
    }

    /// <summary>
    /// record --native on Debian's python (USDT probes): every planted block with pointer, size, file, line and
    /// function (joined from py_where.bt), and the ctypes blocks' stacks go through libffi's ffi_call and _ctypes, root
    /// first, from _start down to malloc/__libc_calloc/__libc_realloc.
    /// </summary>
    [NativeTracingFact]
    public void Record_native_gives_every_planted_block_with_its_ctypes_stack()
    {
        using var dir = new TempDir();
        string log = dir.File("trace.log"), planted = dir.File("planted.json");
        var run = Pmanalyze.Ok("record", "--native", "-o", log, "--", Tracing.Python, Fixture(dir, "plant_leaks.py"), "flow", planted);
        AssertComplete(run.Stderr);
        Assert.Contains("(native mode)", run.Stderr);
        Assert.Contains("Python locations from", run.Stderr);
        Assert.DoesNotContain("MOST STACKS STOP", run.Stderr);
        AssertPlantedBlocks(dir, log, planted, "flow");
        AssertCtypesStacks(dir, planted);
    }

    /// <summary>
    /// record --native needs no USDT: on a Python without probes (a pyenv build) it records the calls and their native
    /// stacks, says in its first line that there are no Python locations, and the planted ctypes blocks are leaks with
    /// their pointers, sizes and libffi stacks (file and line unknown: ?).
    /// </summary>
    [NativeTracingFact(PlainPython = true)]
    public void Record_native_works_on_a_python_without_usdt_probes()
    {
        var python = NativeTracing.PlainPython!;
        using var dir = new TempDir();
        string log = dir.File("trace.log"), planted = dir.File("planted.json");
        var run = Pmanalyze.Ok("record", "--native", "-o", log, "--", python, Fixture(dir, "plant_leaks.py"), "flow", planted);
        AssertComplete(run.Stderr);
        Assert.Contains("has no CPython USDT probes (or no bpftrace): native frames only, no Python file and line", run.Stderr);
        Assert.DoesNotContain("MOST STACKS STOP", run.Stderr);
        Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        var leaks = Leaks(dir);
        var truth = JsonNode.Parse(File.ReadAllText(planted))!;
        foreach (var block in truth["blocks"]!.AsArray().Where(b => (string)b!["kind"]! is "malloc" or "calloc" or "realloc"))
        {
            var row = leaks.SingleOrDefault(r => (string)r["pointer"]! == (string)block!["pointer"]!);
            Assert.True(row is not null, $"planted {block!["kind"]} block {block["pointer"]} is not among the leaks");
            Assert.Equal((long)block["size"]!, (long)row["size"]!);
            Assert.Equal("?", (string)row["file"]!);
        }
        AssertCtypesStacks(dir, planted);
    }

    /// <summary>The stacks of the ctypes-planted blocks, root first: through _ctypes and libffi's ffi_call into the allocator.</summary>
    static void AssertCtypesStacks(TempDir dir, string planted)
    {
        var truth = JsonNode.Parse(File.ReadAllText(planted))!;
        var paths = Pmanalyze.Ok("query", "--db", dir.Db, "--format", "json",
            "SELECT printf('0x%x', e.ptr) AS p, e.api, p.path FROM events e JOIN stack_paths p ON p.stack_id = e.stack_id WHERE e.leaked = 1")
            .Json.AsArray().ToDictionary(r => (string)r!["p"]!, r => (Api: (string)r!["api"]!, Path: (string)r["path"]!));
        foreach (var block in truth["blocks"]!.AsArray().Where(b => (string)b!["kind"]! is "malloc" or "calloc" or "realloc"))
        {
            string pointer = (string)block!["pointer"]!;
            Assert.True(paths.TryGetValue(pointer, out var leak), $"planted block {pointer} has no native stack");
            var frames = leak.Path.Split(';');
            Assert.True(frames[0].EndsWith(":_start", StringComparison.Ordinal), $"{pointer}: the stack does not start at _start: {leak.Path}");
            string kind = (string)block["kind"]!; // perf names the function by one of its aliases
            Assert.Contains(frames[^1], new[] { $"libc.so.6:{kind}", $"libc.so.6:__libc_{kind}" });
            int ffiCall = Array.FindIndex(frames, f => f.StartsWith("libffi.so", StringComparison.Ordinal) && f.EndsWith(":ffi_call", StringComparison.Ordinal));
            int ctypes = Array.FindIndex(frames, f => f.StartsWith("_ctypes.", StringComparison.Ordinal));
            Assert.True(ffiCall > 0 && ctypes > 0 && ctypes < ffiCall, $"{pointer}: no _ctypes frame above libffi's ffi_call in {leak.Path}");
        }
    }

    static void AssertComplete(string stderr)
    {
        var closing = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        Assert.StartsWith("pmanalyze record: recorded ", closing);
        Assert.True(closing.Contains(": nothing lost, in time order", StringComparison.Ordinal), closing);   // the whole line: lost, or late
    }

    static List<JsonNode> Leaks(TempDir dir) =>
        Pmanalyze.Ok("leaks", "--by", "pointer", "--db", dir.Db, "--format", "json", "--top", "1000000").Json.AsArray().Select(n => n!).ToList();

    static void AssertPlantedBlocks(TempDir dir, string log, string planted, string mode)
    {
        var truth = JsonNode.Parse(File.ReadAllText(planted))!;
        Pmanalyze.Ok("import", log, "--db", dir.Db, "-q");
        var leaks = Leaks(dir);
        string file = (string)truth["file"]!;
        var blocks = truth["blocks"]!.AsArray();
        Assert.Equal(mode == "raw" ? 7 : 9, blocks.Count);
        foreach (var block in blocks)
        {
            string pointer = (string)block!["pointer"]!;
            var row = leaks.SingleOrDefault(r => (string)r["pointer"]! == pointer);
            Assert.True(row is not null, $"{mode}: planted {block["kind"]} block {pointer} is not among the {leaks.Count} leaks");
            Assert.Equal((long)block["size"]!, (long)row["size"]!);
            Assert.Equal(file, (string)row["file"]!);
            Assert.Equal((int)block["line"]!, (int)row["line"]!);
            Assert.Equal((string)block["function"]!, (string)row["function"]!);
            Assert.Equal((int)truth["pid"]!, (int)row["pid"]!);
        }
        int freeLine = (int)truth["free_line"]!;
        Assert.DoesNotContain(leaks, r => (string)r["file"]! == file && (int)r["line"]! == freeLine);
        // The seven doomed blocks were seen freed at that line.
        var freed = Pmanalyze.Ok("query", "--db", dir.Db, "--format", "json",
            $"SELECT printf('0x%x', e.ptr) AS p FROM events e JOIN sites s ON s.id = e.site_id WHERE s.file = '{file}' AND s.line = {freeLine} AND e.kind = 'free' AND e.status = 'freed'")
            .Json.AsArray().Select(r => (string)r!["p"]!).ToHashSet();
        var doomed = truth["freed"]!.AsArray().Select(p => (string)p!).ToList();
        Assert.Equal(7, doomed.Count);
        Assert.All(doomed, p => Assert.Contains(p, freed));
    }
}

/// <summary>
/// Live captures run after the other tests, one at a time: a real bpftrace capture reads the kernel's buffers while
/// the traced program runs, and the suite's own parallel imports beside it made it lose events or fall behind its
/// reorder window now and then (once in four full runs), which the capture then rightly reports.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCapture
{
    public const string Name = "Live capture";
}
