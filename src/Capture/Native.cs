using System.Runtime.InteropServices;

namespace PyMemTrace.Capture;

/// <summary>The few POSIX calls .NET does not offer.</summary>
internal static partial class Native
{
    public const int SIGINT = 2, SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkFifo(string path, uint mode);

    /// <summary>Whether the process exists (signal 0 checks without sending).</summary>
    public static bool Alive(int pid) => Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: exists
}
