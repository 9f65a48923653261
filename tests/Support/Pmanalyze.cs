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

    public static Run ExecWithInput(byte[]? stdin, params string[] args) => Start(stdin, null, args);

    /// <summary>Runs with environment variables set (a null value removes one): COLUMNS, NO_COLOR.</summary>
    public static Run ExecWithEnvironment(IReadOnlyDictionary<string, string?> environment, params string[] args) => Start(null, environment, args);

    static Run Start(byte[]? stdin, IReadOnlyDictionary<string, string?>? environment, string[] args)
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
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("pmanalyze " + string.Join(' ', args)); }
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
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
