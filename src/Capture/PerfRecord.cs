using System.Diagnostics;

namespace PyMemTrace.Capture;

/// <summary>
/// A running <c>perf record</c>, started disabled (<c>-D -1</c>) with a control fifo: <see cref="Enable"/> returns once
/// perf has answered <c>ack</c>, i.e. its events are open on the process and counting, so the program may start.
/// perf runs in a session of its own (setsid): Ctrl-C reaches the recorder, which stops perf with SIGINT.
/// </summary>
internal sealed class PerfRecord : IDisposable
{
    readonly string _control, _ack;
    public Process Process { get; }

    public PerfRecord(Perf perf, IEnumerable<string> args)
    {
        _control = Path.Combine(perf.Scratch, "control");
        _ack = Path.Combine(perf.Scratch, "ack");
        foreach (var fifo in new[] { _control, _ack })
            if (Native.MkFifo(fifo, 0b110_000_000) != 0) throw new CaptureException($"cannot make perf's control fifo {fifo}");
        var psi = new ProcessStartInfo("setsid") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(perf.Path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Insert(psi.ArgumentList.IndexOf("-p"), "--control");
        psi.ArgumentList.Insert(psi.ArgumentList.IndexOf("-p"), $"fifo:{_control},{_ack}");
        foreach (var (k, v) in perf.Environment) psi.Environment[k] = v;
        Process = Process.Start(psi) ?? throw new CaptureException("cannot start perf record");
    }

    /// <summary>Sends <c>enable</c> and waits for perf's <c>ack</c> (false when perf ended or did not answer in 30 s).</summary>
    public bool Enable()
    {
        var talk = Task.Run(() =>
        {
            using var control = new FileStream(_control, FileMode.Open, FileAccess.Write);
            using var ack = new StreamReader(new FileStream(_ack, FileMode.Open, FileAccess.Read));
            control.Write("enable\n"u8);
            control.Flush();
            return ack.ReadLine();
        });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!talk.IsCompleted && !Process.HasExited && DateTime.UtcNow < deadline) talk.Wait(100);
        return talk.IsCompletedSuccessfully && talk.Result?.StartsWith("ack", StringComparison.Ordinal) == true;
    }

    /// <summary>perf stops by itself when the process is gone; otherwise (Ctrl-C, or --pid still running) SIGINT.</summary>
    public void Stop()
    {
        if (!Process.WaitForExit(2_000)) Native.Kill(Process.Id, Native.SIGINT);
        if (!Process.WaitForExit(120_000)) Process.Kill();
        Process.WaitForExit();
    }

    bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!Process.HasExited)
        {
            Native.Kill(Process.Id, Native.SIGINT);
            if (!Process.WaitForExit(10_000)) Process.Kill();
        }
        Process.Dispose();
    }
}
