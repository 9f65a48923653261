using System.Runtime.InteropServices;

namespace PyMemTrace.Cli;

/// <summary>
/// SIGINT (Ctrl-C), SIGTERM and SIGHUP while an import runs: instead of dying mid-transaction (which leaves a journal
/// for the next command to roll back), the import is cancelled, rolls back and the command exits 128 + the signal's
/// number. A second signal ends the process at once, as usual.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    readonly CancellationTokenSource _cancel = new();
    readonly List<PosixSignalRegistration> _registrations = new();
    int _signal;

    public InterruptSignals()
    {
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, context => OnSignal(context, number)));
            }
            catch (PlatformNotSupportedException)
            {
                // (Windows has no SIGHUP; Ctrl-C still cancels)
            }
        }
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>128 + the signal that cancelled the import, as a shell reports a process a signal ended.</summary>
    public int ExitCode => 128 + _signal;

    void OnSignal(PosixSignalContext context, int number)
    {
        if (Interlocked.CompareExchange(ref _signal, number, 0) != 0) return; // the second: the default, which ends the process
        context.Cancel = true;
        _cancel.Cancel();
    }

    /// <summary>From here on a signal ends the process as usual (the import is over: nothing to roll back).</summary>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
