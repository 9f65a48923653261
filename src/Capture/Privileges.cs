namespace PyMemTrace.Capture;

/// <summary>bpftrace needs root, or the capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) in the effective set.</summary>
internal static class Privileges
{
    const int CapSysAdmin = 21, CapPerfmon = 38, CapBpf = 39;

    public static void Require()
    {
        if (Native.GetEuid() == 0) return;
        ulong caps = EffectiveCapabilities();
        bool has(int bit) => (caps & (1UL << bit)) != 0;
        if (has(CapSysAdmin) || (has(CapBpf) && has(CapPerfmon))) return;
        throw new CaptureException("recording needs root (or the capabilities CAP_BPF and CAP_PERFMON): run it with sudo");
    }

    static ulong EffectiveCapabilities()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            return line is null ? 0 : Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16);
        }
        catch (IOException) { return 0; }
    }
}
