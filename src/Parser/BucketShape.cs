using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Tells the quantize-family kinds apart by their rows, which DTrace prints as consecutive buckets:
/// quantize steps through 0 and ±powers of two, llquantize has Oracle DTrace 2.x's "&lt;=" or "abs() &lt;" rows,
/// lquantize has "&lt;"/"&gt;=" end rows or a constant step,
/// llquantize is what is left (log-linear steps such as 10, 15, 20, ..., 95, 100, 150).
/// </summary>
public static class BucketShape
{
    public static string KindOf(IReadOnlyList<Bucket> rows)
    {
        if (rows.Any(r => r.Bound is "<=" or "abs() <")) return AggregationKind.LLQuantize; // only Oracle's llquantize prints these
        if (rows.Any(r => r.Bound is not null)) return AggregationKind.LQuantize;
        if (rows.Count < 2 || IsQuantize(rows)) return AggregationKind.Quantize;
        return HasConstantStep(rows) ? AggregationKind.LQuantize : AggregationKind.LLQuantize;
    }

    static bool IsQuantize(IReadOnlyList<Bucket> rows)
    {
        for (int i = 1; i < rows.Count; i++)
            if (NextPowerBucket(rows[i - 1].Value) is not { } next || next != rows[i].Value) return false;
        return true;
    }

    /// <summary>The quantize bucket after v: ..., -4, -2, -1, 0, 1, 2, 4, ...; null when v is not a quantize bucket.</summary>
    static long? NextPowerBucket(long v) => v switch
    {
        0 => 1,
        -1 => 0,
        > 0 when (v & (v - 1)) == 0 => v == 1L << 62 ? null : v * 2,
        < -1 when v != long.MinValue && ((-v) & (-v - 1)) == 0 => v / 2,
        _ => null,
    };

    static bool HasConstantStep(IReadOnlyList<Bucket> rows)
    {
        long step = rows[1].Value - rows[0].Value;
        if (step <= 0) return false;
        for (int i = 2; i < rows.Count; i++)
            if (rows[i].Value - rows[i - 1].Value != step) return false;
        return true;
    }
}
