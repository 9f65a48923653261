namespace PyMemTrace.Parser.Model;

/// <summary>One bucket row of a quantize-family table. Bound is "&lt;" or "&gt;=" for lquantize end rows.</summary>
public readonly record struct Bucket(long Value, long Count, string? Bound = null);

/// <summary>The aggregation kinds, as stored in agg_tables.kind.</summary>
public static class AggregationKind
{
    public const string Quantize = "quantize";
    public const string LQuantize = "lquantize";
    public const string LLQuantize = "llquantize";
    public const string Scalar = "scalar";
}

/// <summary>
/// One DTrace aggregation entry: the section title it sits under, its key columns (a stack key is one column, its
/// frames joined by newlines), its kind, the printed total (key lines like <c>..., total bytes = N</c>) or the value
/// of a scalar, and the rows of a quantize-family table (none for a scalar). KeyText is the key as printed.
/// </summary>
public sealed record AggregationTable(
    int Line,
    string Section,
    IReadOnlyList<string> Key,
    string Kind,
    long? Total,
    IReadOnlyList<Bucket> Buckets,
    string KeyText = "");
