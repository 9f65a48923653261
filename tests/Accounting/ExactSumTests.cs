using CsCheck;
using PyMemTrace.Store;
using Xunit;

namespace PyMemTrace.Tests.Accounting;

/// <summary>ExactSum against System.Int128, the arithmetic it stands in for, on sums that cross 2^63 and 2^64 both ways.</summary>
public class ExactSumTests
{
    static readonly Gen<long> Values = Gen.OneOf(Gen.Long[-5, 5], Gen.Long, Gen.Long[long.MaxValue - 3, long.MaxValue],
        Gen.Long[long.MinValue, long.MinValue + 3], Gen.Const(1L << 32), Gen.Const(-1L));

    [Fact]
    public void Adding_and_subtracting_agrees_with_Int128_and_saturates_the_same_way()
    {
        Gen.Select(Values.Array[0, 60], Gen.Bool.Array[60]).Sample((values, subtract) =>
        {
            ExactSum sum = 0, doubled = 0;
            Int128 expected = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (subtract[i]) { sum -= values[i]; expected -= values[i]; }
                else { sum += values[i]; expected += values[i]; }
                Assert.Equal(Saturating.ToInt64(expected), sum.Saturated);
                Assert.Equal(expected.ToString(), sum.ToString());
            }
            doubled = sum + sum;
            Assert.Equal(Saturating.ToInt64(expected + expected), doubled.Saturated);
        });
    }

    [Fact]
    public void Saturating_add_agrees_with_exact_arithmetic()
    {
        Gen.Select(Values, Values).Sample((a, b) => Assert.Equal(Saturating.ToInt64((Int128)a + b), Saturating.Add(a, b)));
        Assert.Equal(Saturating.Max, Saturating.Add(long.MaxValue, 1));
        Assert.Equal(-Saturating.Max, Saturating.Add(-Saturating.Max, -1));
        Assert.Equal(-Saturating.Max, Saturating.Add(long.MinValue, 0));
        Assert.Equal(0, Saturating.Add(long.MaxValue, -long.MaxValue));
    }

    [Fact]
    public void Sums_past_two_to_the_64_stay_exact_on_the_way_back_down()
    {
        ExactSum sum = 0;
        for (int i = 0; i < 5; i++) sum += long.MaxValue;    // ~2^65.3
        Assert.Equal(Saturating.Max, sum.Saturated);
        for (int i = 0; i < 5; i++) sum -= long.MaxValue;
        Assert.Equal(0, sum.Saturated);
        Assert.Equal(new ExactSum(), sum);
        sum -= 3;
        Assert.Equal(-3, sum.Saturated);
    }
}
