namespace PyMemTrace.Store;

/// <summary>
/// A signed 128-bit sum of 64-bit values: byte totals that are exact however far they pass 2^63 and stored saturated
/// (<see cref="Saturated"/>). It does what System.Int128 would, but a method that uses Int128 gets no ReadyToRun code
/// (crossgen leaves it to the JIT), so the accounting's per-event methods ran first-tier JIT code at the start of
/// every import; with this struct they are compiled ahead of time like the rest.
/// </summary>
public struct ExactSum : IEquatable<ExactSum>
{
    // two's complement over (_high, _low)
    long _high;
    ulong _low;

    ExactSum(long high, ulong low) => (_high, _low) = (high, low);

    public static implicit operator ExactSum(long value) => new(value >> 63, (ulong)value);

    public static ExactSum operator +(ExactSum sum, long value)
    {
        ulong low = unchecked(sum._low + (ulong)value);
        long carry = low < sum._low ? 1 : 0;
        return new ExactSum(unchecked(sum._high + (value >> 63) + carry), low);
    }

    public static ExactSum operator -(ExactSum sum, long value)
    {
        ulong low = unchecked(sum._low - (ulong)value);
        long borrow = low > sum._low ? 1 : 0;
        return new ExactSum(unchecked(sum._high - (value >> 63) - borrow), low);
    }

    public static ExactSum operator +(ExactSum a, ExactSum b)
    {
        ulong low = unchecked(a._low + b._low);
        long carry = low < a._low ? 1 : 0;
        return new ExactSum(unchecked(a._high + b._high + carry), low);
    }

    /// <summary>The sum clamped to ±(2^63 − 1), as <see cref="Saturating.ToInt64(Int128)"/> clamps.</summary>
    public readonly long Saturated
    {
        get
        {
            if (_high == ((long)_low >> 63)) return (long)_low == long.MinValue ? -Saturating.Max : (long)_low;
            return _high < 0 ? -Saturating.Max : Saturating.Max;
        }
    }

    public readonly bool Equals(ExactSum other) => _high == other._high && _low == other._low;
    public override readonly bool Equals(object? obj) => obj is ExactSum other && Equals(other);
    public override readonly int GetHashCode() => HashCode.Combine(_high, _low);
    public static bool operator ==(ExactSum a, ExactSum b) => a.Equals(b);
    public static bool operator !=(ExactSum a, ExactSum b) => !a.Equals(b);
    public override readonly string ToString() => (((Int128)_high << 64) | _low).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
