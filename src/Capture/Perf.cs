namespace PyMemTrace.Capture;

/// <summary>
/// Where perf is, and the environment it runs in: its build-id cache in a scratch folder of the recording (perf
/// otherwise fills ~/.debug with copies of every library it saw), removed with it.
/// </summary>
internal sealed class Perf : IDisposable
{
    public string Path { get; } = Tools.OnPath("perf")
        ?? throw new CaptureException("--native needs perf, which is not installed (Debian: apt-get install linux-perf; Ubuntu: linux-tools-generic)");

    public string Scratch { get; } = Directory.CreateTempSubdirectory("pmanalyze-perf-").FullName;

    public Dictionary<string, string> Environment => new()
    {
        ["PERF_BUILDID_DIR"] = System.IO.Path.Combine(Scratch, "build-ids"),
        ["PERF_PAGER"] = "cat",
    };

    public Tools.Result Run(IEnumerable<string> args, TimeSpan? timeout = null) => Tools.Run(Path, args, Environment, timeout);

    public void Dispose()
    {
        try { Directory.Delete(Scratch, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
