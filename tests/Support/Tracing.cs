using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// What `pmanalyze record` needs to run here: Linux, root, bpftrace that can load a program, and a Python with
/// CPython's USDT probes (PMANALYZE_TRACE_PYTHON, or Debian's /usr/bin/python3.X). <see cref="Missing"/> says why not.
/// </summary>
public static class Tracing
{
    static readonly Lazy<(string? Python, string? Missing)> Probe = new(Check);

    public static string Python => Probe.Value.Python ?? throw new InvalidOperationException(Missing);

    public static string? Missing => Probe.Value.Missing;

    static (string?, string?) Check()
    {
        const string Install = "(apt-get install -y bpftrace; .ci/run installs it)";
        if (!OperatingSystem.IsLinux()) return (null, "record traces with bpftrace, which needs Linux: test skipped");
        if (!IsRoot()) return (null, "record needs root for bpftrace: test skipped (run the tests as root)");
        var bpftrace = new[] { "/usr/bin/bpftrace", "/usr/local/bin/bpftrace", "/usr/sbin/bpftrace" }.FirstOrDefault(File.Exists);
        if (bpftrace is null) return (null, $"bpftrace is not installed {Install}: test skipped");
        var run = Run(bpftrace, "-e", "BEGIN { printf(\"ok\\n\"); exit(); }");
        if (!run.Stdout.Contains("ok")) return (null, "bpftrace cannot load a program here (" + FirstLine(run.Stderr) + "): test skipped");
        var candidates = Environment.GetEnvironmentVariable("PMANALYZE_TRACE_PYTHON") is { Length: > 0 } p
            ? [p]
            : new[] { "/usr/bin/python3.11", "/usr/bin/python3.12", "/usr/bin/python3.10", "/usr/bin/python3" };
        foreach (var python in candidates.Where(File.Exists))
            if (Run(bpftrace, "-l", $"usdt:{python}:python:line").Stdout.Contains(":python:line")) return (python, null);
        return (null, "no Python with CPython's USDT probes here (Debian's /usr/bin/python3.X has them; or set PMANALYZE_TRACE_PYTHON): test skipped");
    }

    static bool IsRoot() => File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
        ?.Split('\t', StringSplitOptions.RemoveEmptyEntries) is { Length: > 2 } uid && uid[2] == "0";

    static string FirstLine(string s) => s.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.Contains("RLIMIT")) ?? "no message";

    static (string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(true); return ("", "timed out"); }
        return (stdout.Result, stderr.Result);
    }
}

/// <summary>A fact that is skipped, saying why, where bpftrace cannot trace a Python here.</summary>
public sealed class TracingFactAttribute : FactAttribute
{
    public TracingFactAttribute()
    {
        if (Tracing.Missing is { } why) Skip = why;
    }
}

/// <summary>A theory that is skipped, saying why, where bpftrace cannot trace a Python here.</summary>
public sealed class TracingTheoryAttribute : TheoryAttribute
{
    public TracingTheoryAttribute()
    {
        if (Tracing.Missing is { } why) Skip = why;
    }
}
