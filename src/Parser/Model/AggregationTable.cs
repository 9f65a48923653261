namespace PyMemTrace.Parser.Model;

/// <summary>
/// One bucket row of a quantize-family table. Bound marks the open-ended rows: "&lt;" and "&gt;=" (lquantize, llquantize,
/// bpftrace's <c>(..., N)</c> and <c>[N, ...)</c>), "&lt;=" and "abs() &lt;" (Oracle DTrace 2.x llquantize).
/// </summary>
public readonly record struct Bucket(long Value, long Count, string? Bound = null);

/// <summary>The aggregation kinds, as stored in agg_tables.kind.</summary>
public static class AggregationKind
{
    public const string Quantize = "quantize";
    public const string LQuantize = "lquantize";
    public const string LLQuantize = "llquantize";
    public const string Scalar = "scalar";
}

/// <summary>How an aggregation was printed, as stored in agg_tables.form.</summary>
public static class AggregationForm
{
    public const string DTrace = "";             // DTrace's own layout (illumos, macOS, FreeBSD, Oracle DTrace 2.x)
    public const string Packed = "packed";       // -x aggpack: one line per key, no bucket counts printed (total = the count)
    public const string Bpftrace = "bpftrace";   // bpftrace's print of maps, hist(), lhist(), stats()
    public const string Bcc = "bcc";             // a bcc tool's stack, then its count (stackcount)
}

/// <summary>
/// One DTrace aggregation entry: the section title it sits under, its key columns (a stack key is one column, its
/// frames joined by newlines), its kind, the printed total (key lines like <c>..., total bytes = N</c>) or the value
/// of a scalar, and the rows of a quantize-family table (none for a scalar). KeyText is the key as printed; Form says
/// which tool's layout it was read from.
/// </summary>
public sealed record AggregationTable(
    int Line,
    string Section,
    IReadOnlyList<string> Key,
    string Kind,
    long? Total,
    IReadOnlyList<Bucket> Buckets,
    string KeyText = "",
    string Form = AggregationForm.DTrace);
