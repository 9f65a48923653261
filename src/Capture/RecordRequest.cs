namespace PyMemTrace.Capture;

/// <summary>
/// What to record: either <see cref="Command"/> (a program to start) or <see cref="Pid"/> (a running process).
/// <see cref="ReorderWindow"/> is how far back in time a late line may still be put in its place. <see cref="Native"/>
/// records the native stack of every allocation with perf (<see cref="NativeRecorder"/>); <see cref="MinSize"/> leaves
/// out smaller allocations there.
/// </summary>
public sealed record RecordRequest(
    string Output,
    CaptureMode Mode,
    IReadOnlyList<string>? Command,
    int? Pid,
    int BufferPages = 4096,
    TimeSpan? ReorderWindow = null,
    bool Native = false,
    long MinSize = 0)
{
    public TimeSpan Window => ReorderWindow ?? TimeSpan.FromSeconds(2);
}
