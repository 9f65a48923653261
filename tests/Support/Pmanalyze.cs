using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PyMemTrace.Tests.Support;

/// <summary>Runs the real pmanalyze executable (built next to the tests) as a user would.</summary>
public static class Pmanalyze
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("no JSON on stdout");
    }

    public static Run Exec(params string[] args) => ExecWithInput(null, args);

    public static Run ExecWithInput(byte[]? stdin, params string[] args) => Exec(stdin, null, TimeSpan.FromMinutes(2), args);

    /// <summary>Runs with environment variables set (a null value removes one): COLUMNS, NO_COLOR.</summary>
    public static Run ExecWithEnvironment(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Exec(null, environment, TimeSpan.FromMinutes(2), args);

    /// <summary>Runs, failing the test if the command has not ended within <paramref name="limit"/> (a command that hangs).</summary>
    public static Run ExecWithin(TimeSpan limit, params string[] args) => Exec(null, null, limit, args);

    static Run Exec(byte[]? stdin, IReadOnlyDictionary<string, string?>? environment, TimeSpan limit, string[] args)
    {
        using var p = Start(environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(limit))
        {
            p.Kill(true);
            // what it said before it was stopped tells where it hung (record prints each stage)
            string said = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result.Trim() : "(its stderr did not close)";
            throw new TimeoutException($"pmanalyze {string.Join(' ', args)} did not end within {limit.TotalSeconds} s; its stderr: {said}");
        }
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts pmanalyze and returns at once, its output redirected (read it, or it may block): for tests that signal it.</summary>
    public static Process Start(params string[] args) => Start(null, args);

    static Process Start(IReadOnlyDictionary<string, string?>? environment, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pmanalyze.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Runs and insists on success, so a failing command shows its stderr in the test output.</summary>
    public static Run Ok(params string[] args)
    {
        var r = Exec(args);
        Assert.True(r.ExitCode == 0, $"pmanalyze {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        return r;
    }

    /// <summary>A failure as the standards ask: exit code 2, one line on stderr naming the problem, no stack trace.</summary>
    public static void OneLineFailure(Run run, string mentions)
    {
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + run.Stderr);
        Assert.StartsWith("pmanalyze: ", lines[0]);
        Assert.Contains(mentions, lines[0]);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
