namespace PyMemTrace.Store;

/// <summary>
/// Byte totals that never wrap. Sizes are size_t, so real sums can pass 2^63: the accounting adds them exactly (in
/// 128 bits) and stores a total that does not fit a signed 64-bit integer as <see cref="Max"/> (2^63 − 1), read
/// "this much or more". A saturated total is never negative and never an error (docs/schema.md, "Numbers").
/// </summary>
public static class Saturating
{
    /// <summary>2^63 − 1: the stored value of a total that is this or larger.</summary>
    public const long Max = long.MaxValue;

    /// <summary>The value clamped to ±(2^63 − 1) (a signed total: aggregation totals and differences may be negative).</summary>
    public static long ToInt64(Int128 value) => value >= Max ? Max : value <= -Max ? -Max : (long)value;

    /// <summary>A double from SQLite arithmetic that overflowed (SQLite turns such integers into REAL), clamped the same way.</summary>
    public static long ToInt64(double value) => double.IsNaN(value) ? 0 : value >= Max ? Max : value <= -Max ? -Max : (long)value;

    public static long Add(long a, long b) => ToInt64((Int128)a + b);

    public static long Sum(IEnumerable<long> values)
    {
        Int128 sum = 0;
        foreach (var v in values) sum += v;
        return ToInt64(sum);
    }

    /// <summary>Whether a stored total stands for "2^63 − 1 or more".</summary>
    public static bool IsSaturated(long value) => value >= Max;
}
