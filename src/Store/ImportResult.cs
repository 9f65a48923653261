namespace PyMemTrace.Store;

/// <summary>
/// What one import did. When Duplicate is set, nothing was added: the content is already trace ExistingTraceId.
/// InputProblem says why the log was not read whole, or that it stops before dtrace:::END (stored as traces.input_problem).
/// </summary>
public sealed record ImportResult(
    long TraceId,
    bool Duplicate,
    long Lines,
    long Bytes,
    long Events,
    long FlowLines,
    long Notes,
    long Unparsed,
    long Aggregations,
    TimeSpan Elapsed,
    ImportTimings? Timings = null,
    string? InputProblem = null);
