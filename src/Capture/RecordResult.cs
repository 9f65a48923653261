using System.Globalization;

namespace PyMemTrace.Capture;

/// <summary>What a recording captured, and whether it can be trusted whole.</summary>
public sealed record RecordResult(
    string Output, CaptureMode Mode, int Pid, long Events, long Lost, long Late, long Reordered, TimeSpan Elapsed, int? ExitCode, bool SawEnd)
{
    /// <summary>record --native: what the native side gave (stacks, Python locations).</summary>
    public string? Native { get; init; }

    public bool Complete => Lost == 0 && Late == 0 && SawEnd;

    /// <summary>The closing line: what was captured, and whether anything was lost or is out of order.</summary>
    public string Describe()
    {
        var what = string.Create(CultureInfo.InvariantCulture,
            $"recorded {Events:N0} events of pid {Pid} ({(Native is null ? Mode.ToString().ToLowerInvariant() : "native")} mode) in {Elapsed.TotalSeconds:0.0} s into {Output}");
        if (Native is not null) what += " (" + Native + ")";
        var problems = new List<string>();
        if (Lost > 0) problems.Add(string.Create(CultureInfo.InvariantCulture, $"{(Native is null ? "bpftrace" : "perf or bpftrace")} LOST {Lost:N0} events (its buffer was full: raise --buffer-pages); the leak report will be wrong"));
        if (Late > 0) problems.Add(string.Create(CultureInfo.InvariantCulture, $"{Late:N0} lines came too late to be put in time order (raise --reorder-window): the order cannot be trusted"));
        if (!SawEnd) problems.Add("bpftrace did not finish its output (no dtrace:::END): the trace may be cut short");
        var verdict = problems.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"nothing lost, in time order ({Reordered:N0} lines arrived out of order and were put back)")
            : string.Join("; ", problems);
        var exit = ExitCode is { } c and not 0 ? string.Create(CultureInfo.InvariantCulture, $" (the program exited with status {c})") : "";
        return $"{what}: {verdict}{exit}";
    }
}
