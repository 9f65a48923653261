using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// Runs pmanalyze on a pseudo-terminal with util-linux's script(1), as a person at a terminal would: what the terminal
/// received (stdout and stderr together, newlines as CR LF) and the exit code.
/// </summary>
public static class Pty
{
    public static string? Script => File.Exists("/usr/bin/script") ? "/usr/bin/script" : null;

    public const string Missing = "script(1) from util-linux is not installed (apt-get install -y util-linux): terminal test skipped";

    public sealed record Run(int ExitCode, string Output);

    /// <param name="setup">Shell commands run on the terminal first (stty cols 100).</param>
    public static Run Exec(IReadOnlyDictionary<string, string?> environment, string setup, params string[] args)
    {
        var command = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "pmanalyze.dll") }.Concat(args).Select(Quote));
        var psi = new ProcessStartInfo(Script ?? throw new InvalidOperationException(Missing))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-q", "-e", "-c", setup.Length > 0 ? setup + "; exec " + command : "exec " + command, "/dev/null" }) psi.ArgumentList.Add(a);
        psi.Environment.Remove("COLUMNS");
        psi.Environment.Remove("NO_COLOR");
        psi.Environment["TERM"] = "xterm-256color";
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("script " + command); }
        return new Run(p.ExitCode, stdout.Result + stderr.Result);
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}

/// <summary>A fact that is skipped, saying why, when script(1) is not installed.</summary>
public sealed class PtyFactAttribute : FactAttribute
{
    public PtyFactAttribute()
    {
        if (Pty.Script is null) Skip = Pty.Missing;
    }
}
