using System.Diagnostics;

namespace PyMemTrace.Capture;

/// <summary>
/// Starts a program held at a gate: a shell that waits on a FIFO and then execs the program, so the pid is known
/// (exec keeps it) and the probes can be attached before the program runs a single line. <see cref="Open"/> lets it
/// run. The program keeps the terminal (stdin, stdout, stderr are not redirected).
/// </summary>
internal sealed class GatedLaunch : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pmanalyze-record-").FullName;
    readonly string _fifo;
    public Process Process { get; }

    public GatedLaunch(IReadOnlyList<string> command, IDictionary<string, string> environment)
    {
        _fifo = Path.Combine(_dir, "gate");
        if (Native.MkFifo(_fifo, 0b110_000_000) != 0) throw new CaptureException($"cannot make the start gate {_fifo}");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("read _ < \"$PMANALYZE_GATE\"; unset PMANALYZE_GATE; exec \"$@\"");
        psi.ArgumentList.Add("pmanalyze-gate");
        foreach (var a in command) psi.ArgumentList.Add(a);
        psi.Environment["PMANALYZE_GATE"] = _fifo;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        Process = Process.Start(psi) ?? throw new CaptureException($"cannot start {command[0]}");
    }

    /// <summary>Lets the program run: the shell's read returns and it execs the program.</summary>
    public void Open()
    {
        var write = Task.Run(() =>
        {
            using var gate = new FileStream(_fifo, FileMode.Open, FileAccess.Write);
            gate.WriteByte((byte)'\n');
        });
        if (!write.Wait(TimeSpan.FromSeconds(30)) && !Process.HasExited)
            throw new CaptureException("the program did not start: its start gate was not read within 30 s");
    }

    public void Dispose()
    {
        Process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
