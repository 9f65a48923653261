using System.Runtime.InteropServices;

namespace PyMemTrace.Tests.Support;

/// <summary>The few POSIX calls the tests need and .NET does not offer: make a FIFO, send a signal to a child.</summary>
public static class Posix
{
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    public static void MakeFifo(string path)
    {
        if (mkfifo(path, 0b110_110_110) != 0) throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new IOException($"kill -{signal} {pid}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// Whether this process ignores <paramref name="signal"/> (SigIgn in /proc/self/status), as its children then do:
    /// a shell without job control starts a background job with SIGINT ignored.
    /// </summary>
    public static bool Ignored(int signal)
    {
        if (!File.Exists("/proc/self/status")) return false;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && ((Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) >> (signal - 1)) & 1) == 1;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
