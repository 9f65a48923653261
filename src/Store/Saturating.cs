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

    /// <summary>An exact sum clamped the same way.</summary>
    public static long ToInt64(ExactSum value) => value.Saturated;

    /// <summary>A double from SQLite arithmetic that overflowed (SQLite turns such integers into REAL), clamped the same way.</summary>
    public static long ToInt64(double value) => double.IsNaN(value) ? 0 : value >= Max ? Max : value <= -Max ? -Max : (long)value;

    /// <summary>a + b clamped the same way (no Int128: the accounting calls this per event, see <see cref="ExactSum"/>).</summary>
    public static long Add(long a, long b)
    {
        long sum = unchecked(a + b);
        if (((a ^ sum) & (b ^ sum)) < 0) return a < 0 ? -Max : Max;   // the signs of both differ from the sum's: it wrapped
        return sum == long.MinValue ? -Max : sum;
    }

    public static long Sum(IEnumerable<long> values)
    {
        ExactSum sum = 0;
        foreach (var v in values) sum += v;
        return sum.Saturated;
    }

    /// <summary>Whether a stored total stands for "2^63 − 1 or more".</summary>
    public static bool IsSaturated(long value) => value >= Max;
}
