using System.Diagnostics;

namespace PyMemTrace.Capture;

/// <summary>
/// Runs a toolkit bpftrace program on a Python process and writes its lines, in time order, to the output: starts
/// the program held at a gate (or attaches to a pid), waits until bpftrace has attached (it prints dtrace:::BEGIN
/// then), lets the program run, and stops bpftrace (SIGINT, so that it prints dtrace:::END) when the program exits
/// or on Ctrl-C. <paramref name="status"/> receives the progress lines meant for people (stderr).
/// </summary>
public sealed class Recorder(RecordRequest request, TextWriter status)
{
    public RecordResult Run()
    {
        Privileges.Require();
        _ = Bpftrace.Path;
        var target = request.Pid is { } pid ? PythonTarget.ForProcess(pid) : PythonTarget.ForCommand(request.Command!);
        var (script, domain) = request.Mode.Program();
        var env = new Dictionary<string, string>();
        AllocatorHooks? hooks = null;
        if (domain is not null)
        {
            if (request.Pid is { } p && !AllocatorHooks.ProcessHasHooks(p))
                throw new CaptureException($"--mode {request.Mode.ToString().ToLowerInvariant()} needs the process started with PYTHONMALLOC=debug (the allocator is inlined in release builds, see toolkit/README.md); or use --mode flow");
            hooks = AllocatorHooks.Find(target.Interpreter, domain);
            if (hooks.File != target.ProbeFile)
                throw new CaptureException($"the allocator hooks are in {hooks.File} but the USDT probes in {target.ProbeFile}: this layout is not supported");
            var current = System.Environment.GetEnvironmentVariable("PYTHONMALLOC");
            env["PYTHONMALLOC"] = current is not null && AllocatorHooks.DebugSettings.Contains(current) ? current : "debug";
        }
        Bpftrace.MountTracefs();

        using var output = OpenOutput(request.Output);
        using var launch = request.Command is { } command ? new GatedLaunch(command, env) : null;
        int targetPid = launch?.Process.Id ?? request.Pid!.Value;
        var watch = Stopwatch.StartNew();
        using var bpftrace = StartBpftrace(script, target, hooks, targetPid);
        var order = new TimeOrder(output, request.Window, keepStamps: true);
        var stderr = bpftrace.StandardError.ReadToEndAsync();
        var begun = new ManualResetEventSlim();
        long lastLine = Environment.TickCount64;
        var reader = new Thread(() =>
        {
            while (bpftrace.StandardOutput.ReadLine() is { } line)
            {
                Volatile.Write(ref lastLine, Environment.TickCount64);
                order.Add(line);
                if (order.SawBegin) begun.Set();
            }
            begun.Set();
        }) { IsBackground = true, Name = "bpftrace output" };
        reader.Start();

        if (!begun.Wait(AttachTimeout))
        {
            Native.Kill(bpftrace.Id, Native.SIGKILL);
            launch?.Process.Kill();
            throw new CaptureException($"bpftrace did not attach its probes within {AttachTimeout.TotalSeconds:0} s (is another tracer holding them?)");
        }
        if (!order.SawBegin)
        {
            bpftrace.WaitForExit();
            launch?.Process.Kill();
            throw new CaptureException("bpftrace could not attach: " + Tools.FirstError(stderr.Result));
        }
        int? exitCode = null;
        bool interrupted = false;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; Volatile.Write(ref interrupted, true); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (launch is not null)
            {
                status.WriteLine($"pmanalyze record: probes attached, starting {request.Command![0]} (pid {targetPid})");
                launch.Open();
                while (!launch.Process.WaitForExit(200) && !Volatile.Read(ref interrupted) && !bpftrace.HasExited) { }
                if (launch.Process.HasExited) exitCode = launch.Process.ExitCode;
            }
            else
            {
                status.WriteLine($"pmanalyze record: attached to pid {targetPid}; Ctrl-C to stop");
                while (Native.Alive(targetPid) && !Volatile.Read(ref interrupted) && !bpftrace.HasExited) Thread.Sleep(200);
            }
            // bpftrace drops what its buffers still hold when it is stopped: let it print until it has been quiet. A
            // program still running (Ctrl-C) never goes quiet: then only briefly.
            long giveUp = Environment.TickCount64 + (Volatile.Read(ref interrupted) ? 2_000 : 60_000);
            while (!bpftrace.HasExited && Environment.TickCount64 - Volatile.Read(ref lastLine) < QuietMilliseconds
                   && Environment.TickCount64 < giveUp)
                Thread.Sleep(50);
            if (!bpftrace.HasExited) Native.Kill(bpftrace.Id, Native.SIGINT);
            // a bpftrace that does not end on SIGINT must not hold record forever: it is killed, and the log then
            // lacks dtrace:::END, which the closing line reports (the trace may be cut short)
            if (!bpftrace.WaitForExit(StopTimeout)) Native.Kill(bpftrace.Id, Native.SIGKILL);
            reader.Join(StopTimeout);
            bpftrace.WaitForExit(StopTimeout);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        order.Finish();
        return new RecordResult(request.Output, request.Mode, targetPid, order.Events, order.Lost, order.Late, order.Reordered, watch.Elapsed, exitCode, order.SawEnd);
    }

    /// <summary>How long bpftrace must print nothing, once the program is gone, before it is stopped.</summary>
    const int QuietMilliseconds = 1000;
    /// <summary>Bounds on waits for bpftrace: attaching (seconds here, even under load), and ending after SIGINT.</summary>
    static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(90), StopTimeout = TimeSpan.FromSeconds(20);

    Process StartBpftrace(string script, PythonTarget target, AllocatorHooks? hooks, int pid)
    {
        // In a session of its own (setsid), so that Ctrl-C reaches the recorder, which stops bpftrace once it has printed
        // what it holds, rather than bpftrace directly.
        var psi = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.StandardOutputEncoding = new System.Text.UTF8Encoding(false);
        psi.ArgumentList.Add(Bpftrace.Path);
        if (hooks is not null) psi.ArgumentList.Add("--unsafe"); // probes at raw offsets of a stripped binary
        psi.ArgumentList.Add(Toolkit.File(script));
        psi.ArgumentList.Add(target.ProbeFile);
        psi.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (hooks is not null)
        {
            foreach (var a in new[] { hooks.Malloc, hooks.Calloc, hooks.Realloc, hooks.Free }) psi.ArgumentList.Add(a);
            if (request.Mode == CaptureMode.Raw) psi.ArgumentList.Add(hooks.Context);
        }
        foreach (var (k, v) in Bpftrace.Environment(request.BufferPages)) psi.Environment[k] = v;
        return Process.Start(psi) ?? throw new CaptureException("cannot start bpftrace");
    }

    static StreamWriter OpenOutput(string path)
    {
        try
        {
            return new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureException($"cannot write {path}: {e.Message}");
        }
    }
}
