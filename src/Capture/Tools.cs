using System.Diagnostics;

namespace PyMemTrace.Capture;

/// <summary>Finds programs on PATH and runs short helper commands to completion.</summary>
internal static class Tools
{
    /// <summary>The full path of a command name as the shell would find it on PATH, or null.</summary>
    public static string? OnPath(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs a command with optional extra environment and waits for it (at most <paramref name="timeout"/>).</summary>
    public static Result Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new CaptureException($"cannot run {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(true);
            throw new CaptureException($"{Path.GetFileName(file)} did not answer within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The first line of a tool's complaint worth showing (bpftrace repeats a harmless RLIMIT_MEMLOCK notice).</summary>
    public static string FirstError(string stderr) =>
        stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.Contains("RLIMIT_MEMLOCK", StringComparison.Ordinal)
            && !l.StartsWith("WARNING", StringComparison.Ordinal)) ?? "no message";
}
