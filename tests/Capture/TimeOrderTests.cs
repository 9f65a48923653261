using PyMemTrace.Capture;

namespace PyMemTrace.Tests.Capture;

/// <summary>The reorder window of record: bpftrace's lines, as they arrive from its per-CPU buffers, back in time order.</summary>
public class TimeOrderTests
{
    static (string Text, TimeOrder Order) Reorder(TimeSpan window, bool keepStamps, params string[] lines)
    {
        var output = new StringWriter { NewLine = "\n" };
        var order = new TimeOrder(output, window, keepStamps);
        foreach (var l in lines) order.Add(l);
        order.Finish();
        return (output.ToString(), order);
    }

    [Fact]
    public void Lines_of_two_CPUs_come_out_in_stamp_order_with_END_last()
    {
        var (text, order) = Reorder(TimeSpan.FromSeconds(1), keepStamps: false,
            "Attaching 7 probes...",
            "@100 dtrace:::BEGIN",
            "@300  42 a.py:1   -> f malloc(8) pntr 0x10",
            "@900 dtrace:::END",      // END printed while the other CPU's buffer still holds events
            "@200  42 a.py:2   -> f malloc(16) pntr 0x20",
            "@400  42 a.py:3   -> f free(0x10)");
        Assert.Equal(
            "dtrace:::BEGIN\n 42 a.py:2   -> f malloc(16) pntr 0x20\n 42 a.py:1   -> f malloc(8) pntr 0x10\n 42 a.py:3   -> f free(0x10)\n\ndtrace:::END\n",
            text);
        Assert.Equal(3, order.Events);
        Assert.Equal(1, order.Reordered);
        Assert.Equal(0, order.Late);
        Assert.True(order.SawBegin && order.SawEnd);
    }

    [Fact]
    public void Equal_stamps_keep_their_arrival_order_and_stamps_can_be_kept()
    {
        var (text, _) = Reorder(TimeSpan.FromSeconds(1), keepStamps: true,
            "@5  7 m.py:9   -> g _PyObject_Realloc(0x10, 64)",
            "@5  7 m.py:9   -> g _PyObject_Malloc(64) _PyObject_Malloc returns 0x20",
            "@5  7 m.py:9   -> g _PyObject_Free(0x10)");
        Assert.Equal("@5  7 m.py:9   -> g _PyObject_Realloc(0x10, 64)\n@5  7 m.py:9   -> g _PyObject_Malloc(64) _PyObject_Malloc returns 0x20\n@5  7 m.py:9   -> g _PyObject_Free(0x10)\n", text);
    }

    [Fact]
    public void A_line_later_than_the_window_is_written_counted_and_the_log_says_its_order_cannot_be_trusted()
    {
        // Window 1 µs: @5000 pushes @100 out; @50 then comes too late to be put before it.
        var (text, order) = Reorder(TimeSpan.FromTicks(10), keepStamps: false,
            "@100  1 a.py:1   -> f malloc(1) pntr 0x1",
            "@5000  1 a.py:2   -> f malloc(2) pntr 0x2",
            "@50  1 a.py:3   -> f free(0x1)");
        Assert.Equal(1, order.Late);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(" 1 a.py:1   -> f malloc(1) pntr 0x1", lines[0]);
        Assert.Equal(" 1 a.py:3   -> f free(0x1)", lines[1]);   // written at once, out of order
        Assert.Equal(" 1 a.py:2   -> f malloc(2) pntr 0x2", lines[2]);
        Assert.StartsWith("pmanalyze record: 1 lines came more than the reorder window", lines[^1]);
        Assert.EndsWith("the order of this trace cannot be trusted", lines[^1]);
    }

    [Fact]
    public void Lost_events_notices_are_kept_and_counted_and_bpftrace_chatter_is_not()
    {
        var (text, order) = Reorder(TimeSpan.FromSeconds(1), keepStamps: false,
            "Attaching 11 probes...", "", "Lost 57 events", "@1 dtrace:::BEGIN", "Lost 3 events", "@2 dtrace:::END");
        Assert.Equal(60, order.Lost);
        Assert.Equal("Lost 57 events\nLost 3 events\ndtrace:::BEGIN\n\ndtrace:::END\n", text);
    }

    [Fact]
    public void The_window_bounds_what_is_held()
    {
        var output = new StringWriter();
        var order = new TimeOrder(output, TimeSpan.FromTicks(1), keepStamps: false, maxHeld: 1000);
        for (int i = 0; i < 100_000; i++) order.Add($"@{i * 1000L}  1 a.py:1   -> f malloc(1) pntr 0x{i + 1:x}");
        Assert.True(order.MostHeld <= 2, $"held {order.MostHeld} lines");
        var capped = new TimeOrder(TextWriter.Null, TimeSpan.FromHours(1), keepStamps: false, maxHeld: 1000);
        for (int i = 0; i < 100_000; i++) capped.Add($"@{i}  1 a.py:1   -> f malloc(1) pntr 0x1");
        Assert.Equal(1001, capped.MostHeld);
    }

    [Theory]
    [InlineData("@123 x", true, 123L, "x")]
    [InlineData("@18446744073709551615 x", false, 0L, "")]   // beyond a long: not a stamp, passed through
    [InlineData("@ x", false, 0L, "")]
    [InlineData("123 x", false, 0L, "")]
    [InlineData("@12a x", false, 0L, "")]
    public void Stamps_are_read_only_when_whole(string line, bool ok, long stamp, string rest)
    {
        Assert.Equal(ok, TimeOrder.TrySplit(line, out var s, out var r));
        if (ok) { Assert.Equal(stamp, s); Assert.Equal(rest, r); }
    }
}
