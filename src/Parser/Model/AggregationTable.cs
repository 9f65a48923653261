namespace PyMemTrace.Parser.Model;

/// <summary>One bucket row of a quantize-family table. Bound is "&lt;" or "&gt;=" for lquantize end rows.</summary>
public readonly record struct Bucket(long Value, long Count, string? Bound = null);

/// <summary>
/// One DTrace aggregation printed after END: the section title it sits under, its key columns,
/// the printed total (when the key line carries one) and its rows.
/// </summary>
public sealed record AggregationTable(
    int Line,
    string Section,
    IReadOnlyList<string> Key,
    string Kind,
    long? Total,
    IReadOnlyList<Bucket> Buckets);
