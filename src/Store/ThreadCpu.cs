using System.Runtime.InteropServices;

namespace PyMemTrace.Store;

/// <summary>CPU time of the calling thread (Linux; zero elsewhere): busy time that a loaded machine does not inflate.</summary>
internal static partial class ThreadCpu
{
    struct Timespec { public long Seconds, Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec ts);

    const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    public static TimeSpan Now()
    {
        if (!OperatingSystem.IsLinux()) return TimeSpan.Zero;
        try
        {
            return ClockGetTime(ThreadCpuClock, out var ts) == 0 ? TimeSpan.FromTicks(ts.Seconds * TimeSpan.TicksPerSecond + ts.Nanoseconds / 100) : TimeSpan.Zero;
        }
        catch (DllNotFoundException) { return TimeSpan.Zero; }
        catch (EntryPointNotFoundException) { return TimeSpan.Zero; }
    }
}
