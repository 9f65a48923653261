using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PyMemTrace.Capture;

/// <summary>
/// record --native: the C library's malloc, calloc, realloc and free with the native call stack of every
/// allocation, recorded by perf (uprobes from <see cref="LibcProbes"/>, DWARF unwinding of 8 KB of stack copied at
/// each allocation entry), and, when the Python has CPython's USDT probes, the Python file, line and function of
/// each call from toolkit/py_where.bt run beside it, joined by thread and time. The program is held at the gate
/// until perf (and bpftrace) are attached; the probes are removed at the end, also after Ctrl-C or a failure.
/// </summary>
public sealed partial class NativeRecorder(RecordRequest request, TextWriter status)
{
    public RecordResult Run()
    {
        Privileges.Require();
        using var perf = new Perf();
        var (binary, probeFile) = PythonTarget.ForNative(request.Command, request.Pid);
        string libc = request.Pid is { } pid ? LibcProbes.OfProcess(pid) : LibcProbes.Of(binary);
        Bpftrace.MountTracefs();

        using var probes = new LibcProbes(perf, libc);
        bool interrupted = false;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; Volatile.Write(ref interrupted, true); };
        PerfRecord? recorder = null;
        LocationStream? where = null;
        Action cleanUp = () =>
        {
            // killed (SIGTERM): no finally runs, and perf and bpftrace live in sessions of their own. Stop them, then
            // remove the probes (perf probe cannot delete them while perf still has them open).
            where?.Dispose();
            recorder?.Dispose();
            probes.Dispose();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => cleanUp());
        using var onHup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, _ => cleanUp());
        try
        {
            probes.Add();
            using var launch = request.Command is { } command ? new GatedLaunch(command, new Dictionary<string, string>()) : null;
            int targetPid = launch?.Process.Id ?? request.Pid!.Value;
            var watch = Stopwatch.StartNew();
            var data = Path.Combine(perf.Scratch, "perf.data");
            using var perfRecord = recorder = StartPerf(perf, probes, targetPid, data);
            var perfErrors = recorder.Process.StandardError.ReadToEndAsync();
            using var locations = where = probeFile is null ? null : new LocationStream(probeFile, targetPid, request.BufferPages);
            if (where is not null && !where.WaitAttached())
                throw new CaptureException("bpftrace could not attach to the USDT probes: " + where.Error);
            if (!recorder.Enable())
                throw new CaptureException("perf record did not start: " + Tools.FirstError(perfErrors.IsCompleted ? perfErrors.Result : "no answer on its control fifo within 30 s"));

            int? exitCode = null;
            if (launch is not null)
            {
                status.WriteLine($"pmanalyze record: probes attached (perf{(where is null ? "" : " and bpftrace")}), starting {request.Command![0]} (pid {targetPid})"
                                 + (where is null ? $"; {binary} has no CPython USDT probes (or no bpftrace): native frames only, no Python file and line" : ""));
                launch.Open();
                while (!launch.Process.WaitForExit(200) && !Volatile.Read(ref interrupted) && !recorder.Process.HasExited) { }
                if (launch.Process.HasExited) exitCode = launch.Process.ExitCode;
            }
            else
            {
                status.WriteLine($"pmanalyze record: attached to pid {targetPid} with perf; Ctrl-C to stop");
                while (Native.Alive(targetPid) && !Volatile.Read(ref interrupted) && !recorder.Process.HasExited) Thread.Sleep(200);
            }
            where?.Stop(Volatile.Read(ref interrupted));
            recorder.Stop();
            status.WriteLine("pmanalyze record: resolving the native stacks (perf script)...");
            var (script, lost) = Convert(perf, data, where?.Locations, launch is null ? 0 : targetPid);
            // without the exec in perf script's output every call of the program was taken for the gate shell's
            if (launch is not null && script.Execs == 0 && script.GateEvents > 0)
                throw new CaptureException(string.Create(CultureInfo.InvariantCulture,
                    $"perf script showed no exec of the started program, so its {script.GateEvents:N0} calls could not be told from the gate shell's and were left out: start the program yourself and record it with --pid"));
            return new RecordResult(request.Output, request.Mode, targetPid, script.Events, lost + (where?.Lost ?? 0), 0, 0, watch.Elapsed, exitCode,
                SawEnd: where is null || where.SawEnd)
            {
                Native = string.Create(CultureInfo.InvariantCulture, $"native stacks on {script.WithStack:N0} allocations, {script.Incomplete:N0} of them cut short")
                    + (where is null ? ", no Python locations (no USDT)" : string.Create(CultureInfo.InvariantCulture, $", Python locations from {where.Locations.Count:N0} USDT lines"))
                    + (script.Unreturned > 0 ? string.Create(CultureInfo.InvariantCulture, $", {script.Unreturned:N0} calls without their return left out") : "")
                    // perf's unwinder found no unwind table for the allocator (docs/recording.md, "Stacks cut short")
                    + (script.AllocatorOnly * 2 > script.WithStack && script.WithStack > 0
                        ? "; MOST STACKS STOP AFTER THE ALLOCATOR'S FRAME: perf could not unwind the C library"
                          + (script.Execs > 1 ? $" after {request.Command![0]} exec'd another program: record that program itself" : " here")
                          + " (docs/recording.md)" : ""),
            };
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// perf script into the log: BEGIN, the events with their stacks, perf's loss as a drop notice, END. A launched
    /// program's pid (<paramref name="launchedPid"/>) ran the gate's shell until its exec: those calls are left out.
    /// </summary>
    (PerfScript Script, long Lost) Convert(Perf perf, string data, PythonLocations? locations, int launchedPid)
    {
        using var output = OpenOutput(request.Output);
        output.WriteLine("pmanalyze record --native: libc allocator calls recorded by perf with DWARF stacks" +
                         (locations is null ? "; no Python locations (the interpreter has no USDT probes)" : "; Python locations from CPython's USDT probes"));
        output.WriteLine("dtrace:::BEGIN");
        var script = new PerfScript(output, (tid, ns) => locations?.At(tid, ns), request.MinSize, launchedPid);
        var psi = new ProcessStartInfo(perf.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "script", "-i", data, "--ns", "--no-inline", "-F", "pid,tid,time,event,trace,ip,sym,symoff,dso" }) psi.ArgumentList.Add(a);
        if (launchedPid != 0) psi.ArgumentList.Add("--show-task-events"); // the exec that ends the gate
        foreach (var (k, v) in perf.Environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new CaptureException("cannot run perf script");
        var errors = p.StandardError.ReadToEndAsync();
        while (p.StandardOutput.ReadLine() is { } line) script.Add(line);
        p.WaitForExit();
        script.Finish();
        long lost = LostChunks().Match(errors.Result) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (lost > 0) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Lost {lost} events"));
        output.WriteLine();
        output.WriteLine("dtrace:::END");
        if (p.ExitCode != 0 && script.Events == 0) throw new CaptureException("perf script failed: " + Tools.FirstError(errors.Result));
        return (script, lost);
    }

    PerfRecord StartPerf(Perf perf, LibcProbes probes, int pid, string data)
    {
        // The stack size is given once for all events (a per-event call-graph=dwarf term alone unwinds nothing when
        // perf attaches with -p, perf 6.1) and taken off the events that need no stack: returns and frees.
        var args = new List<string> { "record", "-q", "-z", "-N", "-k", "CLOCK_MONOTONIC", "-m", MmapPages(request.BufferPages * 4), "-D", "-1",
            "--call-graph", "dwarf,8192" };
        // A launched program is still the gate's shell when perf attaches. perf keeps the shell's mappings (synthesized
        // at attach) after the exec, and perf script's DWARF unwinder (perf 6.1, libunwind) takes a library's lowest
        // mapping in the process as its base: when the shell's libc lay below the program's (ASLR, one run in two),
        // every stack stopped after malloc. The program's own mappings all come after the exec, so none are
        // synthesized; an attached process (--pid) needs its existing ones.
        if (request.Command is not null) args.Add("--synth=task");
        const string noStack = "/call-graph=no/";
        foreach (var r in new[] { "malloc_ret__return", "calloc_ret__return", "realloc_ret__return" }) args.AddRange(["-e", probes.Event(r) + noStack]);
        args.AddRange(["-e", probes.Event("malloc")]);
        if (request.MinSize > 0) args.AddRange(["--filter", $"size >= {request.MinSize}"]);
        args.AddRange(["-e", probes.Event("calloc"), "-e", probes.Event("realloc"), "-e", probes.Event("free") + noStack]);
        args.AddRange(["-p", pid.ToString(CultureInfo.InvariantCulture), "-o", data]);
        return new PerfRecord(perf, args);
    }

    /// <summary>perf wants a power of two.</summary>
    static string MmapPages(long pages) => System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(pages, 8)).ToString(CultureInfo.InvariantCulture);

    static StreamWriter OpenOutput(string path)
    {
        try { return new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CaptureException($"cannot write {path}: {e.Message}"); }
    }

    // perf script: "Processed 100076 events and lost 1325 chunks!"
    [GeneratedRegex(@"lost (\d+) chunks")]
    private static partial Regex LostChunks();
}
