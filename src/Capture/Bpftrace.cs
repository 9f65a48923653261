namespace PyMemTrace.Capture;

/// <summary>Where bpftrace is, and the environment its programs need.</summary>
internal static class Bpftrace
{
    static string? _path;

    public static string Path => _path ??= Tools.OnPath("bpftrace")
        ?? throw new CaptureException("bpftrace is not installed (Debian, Ubuntu: apt-get install bpftrace)");

    /// <summary>72 bytes of file path fit in the BPF stack (the default 64 cuts paths at 63); bigger buffers lose less.</summary>
    public static Dictionary<string, string> Environment(int bufferPages) => new()
    {
        ["BPFTRACE_STRLEN"] = "72",
        ["BPFTRACE_PERF_RB_PAGES"] = bufferPages.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>bpftrace detaches uprobes through tracefs and complains when it is not mounted; mount it if it can be.</summary>
    public static void MountTracefs()
    {
        if (File.Exists("/sys/kernel/tracing/uprobe_events") || !Directory.Exists("/sys/kernel/tracing")) return;
        try { Tools.Run("/bin/mount", ["-t", "tracefs", "nodev", "/sys/kernel/tracing"], timeout: TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is CaptureException or System.ComponentModel.Win32Exception) { }
    }
}
