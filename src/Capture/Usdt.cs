namespace PyMemTrace.Capture;

/// <summary>Which CPython USDT probes a file offers, as bpftrace lists them.</summary>
internal static class Usdt
{
    /// <summary>The toolkit programs need the line probe (function__entry too, where it exists, as on 3.11).</summary>
    public static bool HasPythonProbes(string file)
    {
        var r = Tools.Run(Bpftrace.Path, ["-l", $"usdt:{file}:python:*"]);
        return r.Stdout.Split('\n').Any(l => l.TrimEnd().EndsWith(":python:line", StringComparison.Ordinal));
    }
}
