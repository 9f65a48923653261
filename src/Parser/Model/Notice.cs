namespace PyMemTrace.Parser.Model;

/// <summary>
/// A message of DTrace itself (<c>dtrace: ...</c>): its kind and the number it carries (drops, probes matched,
/// the pid that exited), if any.
/// </summary>
public sealed record Notice(string Kind, long? Number);

/// <summary>The kinds of DTrace notices, as stored in notices.kind.</summary>
public static class NoticeKind
{
    public const string BufferDrops = "buffer_drops";                   // N drops on CPU C: principal buffer full, records lost
    public const string AggregationDrops = "aggregation_drops";         // N aggregation drops on CPU C
    public const string DynamicVariableDrops = "dynamic_variable_drops"; // N dynamic variable drops [with non-empty ... list]
    public const string SpeculativeDrops = "speculative_drops";         // N speculative drops, N failed speculations
    public const string OtherDrops = "other_drops";                     // ustack string table overflows, errors in ERROR probe
    public const string Error = "error";                                // error on enabled probe ID ...
    public const string Aborted = "aborted";                            // processing aborted: ...
    public const string PidExited = "pid_exited";                       // pid N has exited / exited with status / terminated
    public const string ProbesMatched = "probes_matched";               // script '...' matched N probes
    public const string Sip = "sip";                                    // system integrity protection is on ...
    public const string Other = "other";                                // any other dtrace: line

    /// <summary>The kinds that mean DTrace lost records: a trace with one of them is lossy.</summary>
    public static readonly IReadOnlySet<string> Lossy = new HashSet<string>
        { BufferDrops, AggregationDrops, DynamicVariableDrops, SpeculativeDrops, OtherDrops, Error, Aborted };
}
