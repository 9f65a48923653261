using System.Diagnostics;

namespace PyMemTrace.Capture;

/// <summary>
/// toolkit/py_where.bt running on the process beside perf: the Python location of each thread at its allocator
/// calls, collected into <see cref="Locations"/>. Attached once bpftrace has printed dtrace:::BEGIN.
/// </summary>
internal sealed class LocationStream : IDisposable
{
    readonly Process _bpftrace;
    readonly Thread _reader;
    readonly Task<string> _stderr;
    readonly ManualResetEventSlim _begun = new();
    long _lastLine = Environment.TickCount64;
    bool _sawBegin;

    public PythonLocations Locations { get; } = new();
    public long Lost { get; private set; }
    public bool SawEnd { get; private set; }
    public string Error => Tools.FirstError(_stderr.IsCompleted ? _stderr.Result : "");

    public LocationStream(string probeFile, int pid, int bufferPages)
    {
        var psi = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.StandardOutputEncoding = new System.Text.UTF8Encoding(false);
        foreach (var a in new[] { Bpftrace.Path, Toolkit.File("py_where.bt"), probeFile, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in Bpftrace.Environment(bufferPages)) psi.Environment[k] = v;
        _bpftrace = Process.Start(psi) ?? throw new CaptureException("cannot start bpftrace");
        _stderr = _bpftrace.StandardError.ReadToEndAsync();
        _reader = new Thread(Read) { IsBackground = true, Name = "py_where.bt output" };
        _reader.Start();
    }

    void Read()
    {
        while (_bpftrace.StandardOutput.ReadLine() is { } line)
        {
            Volatile.Write(ref _lastLine, Environment.TickCount64);
            if (Locations.Add(line)) continue;
            if (line.EndsWith("dtrace:::BEGIN", StringComparison.Ordinal)) { _sawBegin = true; _begun.Set(); }
            else if (line.EndsWith("dtrace:::END", StringComparison.Ordinal)) SawEnd = true;
            else if (TimeOrder.LostEvents(line) is { } n) Lost += n;
        }
        _begun.Set();
    }

    public bool WaitAttached()
    {
        _begun.Wait();
        return _sawBegin;
    }

    /// <summary>Stops bpftrace once its output has been quiet for a second (briefly after Ctrl-C), as the recorder does.</summary>
    public void Stop(bool interrupted)
    {
        long giveUp = Environment.TickCount64 + (interrupted ? 2_000 : 60_000);
        while (!_bpftrace.HasExited && Environment.TickCount64 - Volatile.Read(ref _lastLine) < 1_000 && Environment.TickCount64 < giveUp)
            Thread.Sleep(50);
        if (!_bpftrace.HasExited) Native.Kill(_bpftrace.Id, Native.SIGINT);
        _reader.Join();
        _bpftrace.WaitForExit();
    }

    bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_bpftrace.HasExited) _bpftrace.Kill();
        _bpftrace.Dispose();
        _begun.Dispose();
    }
}
