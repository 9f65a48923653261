using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>Headless Chromium from the system packages (Debian's chromium), for tests that load a page in a real browser.</summary>
public static class Chromium
{
    static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    public static string? Path => Environment.GetEnvironmentVariable("PMANALYZE_CHROMIUM") is { Length: > 0 } p
        ? (File.Exists(p) ? p : null)
        : Candidates.FirstOrDefault(File.Exists);

    public const string Missing = "chromium is not installed (apt-get install -y chromium; .ci/run installs it): browser test skipped";

    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the browser headless on <paramref name="url"/> with the given extra switches, in a throw-away profile.</summary>
    public static Run Exec(string url, params string[] switches)
    {
        using var profile = new TempDir();
        var psi = new ProcessStartInfo(Path ?? throw new InvalidOperationException(Missing))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile.Path}",
                     "--enable-logging=stderr", "--v=0" }.Concat(switches))
            psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(url);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("chromium " + url); }
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Messages the page wrote to the console (errors, CSP violations, uncaught exceptions), as Chromium logs them.</summary>
    public static IReadOnlyList<string> ConsoleMessages(Run run) =>
        run.Stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
}

/// <summary>A fact that is skipped, saying why, when Chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null) Skip = Chromium.Missing;
    }
}

/// <summary>A theory that is skipped, saying why, when Chromium is not installed.</summary>
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (Chromium.Path is null) Skip = Chromium.Missing;
    }
}
