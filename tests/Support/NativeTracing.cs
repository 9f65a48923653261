using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// What `pmanalyze record --native` needs besides <see cref="Tracing"/>: perf (Debian's linux-perf; .ci/run installs
/// it) able to list uprobes (tracefs). <see cref="PlainPython"/> is a Python without USDT probes, when there is one
/// (PMANALYZE_PLAIN_PYTHON, or a pyenv build), for the native-only path.
/// </summary>
public static class NativeTracing
{
    static readonly Lazy<string?> Probe = new(Check);

    public static string? Missing => Tracing.Missing ?? Probe.Value;

    static string? Check()
    {
        var perf = new[] { "/usr/bin/perf", "/usr/local/bin/perf", "/usr/sbin/perf" }.FirstOrDefault(File.Exists);
        if (perf is null) return "perf is not installed (apt-get install -y linux-perf; .ci/run installs it): test skipped";
        var psi = new ProcessStartInfo(perf, "probe -l") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["PERF_BUILDID_DIR"] = Path.Combine(Path.GetTempPath(), "pmanalyze-test-build-ids");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : "perf probe cannot list uprobes here (" + err.Result.Trim() + "): test skipped";
    }

    /// <summary>A Python with no USDT probes (its ELF notes have no stapsdt), or null.</summary>
    public static string? PlainPython => PlainCandidates().FirstOrDefault(p => File.Exists(p) && !HasUsdt(p));

    static IEnumerable<string> PlainCandidates()
    {
        if (Environment.GetEnvironmentVariable("PMANALYZE_PLAIN_PYTHON") is { Length: > 0 } p) return [p];
        var pyenv = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "versions");
        return Directory.Exists(pyenv)
            ? Directory.GetDirectories(pyenv).Order().Select(d => Path.Combine(d, "bin", "python3"))
            : [];
    }

    static bool HasUsdt(string python)
    {
        // the probes sit in the executable or in the libpython it loads
        var files = new List<string> { python };
        var lib = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(python)!)!, "lib");
        if (Directory.Exists(lib)) files.AddRange(Directory.GetFiles(lib, "libpython3*.so*"));
        return files.Any(f => File.ReadAllBytes(f).AsSpan().IndexOf("stapsdt"u8) >= 0);
    }
}

/// <summary>A fact that is skipped, saying why, where record --native cannot run here.</summary>
public sealed class NativeTracingFactAttribute : FactAttribute
{
    public NativeTracingFactAttribute()
    {
        if (NativeTracing.Missing is { } why) Skip = why;
    }

    /// <summary>The test also needs a Python without USDT probes (<see cref="NativeTracing.PlainPython"/>).</summary>
    public bool PlainPython
    {
        get => false;
        init
        {
            if (value && Skip is null && NativeTracing.PlainPython is null)
                Skip = "no Python without USDT probes here (a pyenv build, or set PMANALYZE_PLAIN_PYTHON): test skipped";
        }
    }
}
