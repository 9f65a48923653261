using System.Globalization;
using System.Text;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Tests.Dtrace;

/// <summary>
/// Property test: random quantize and lquantize tables, written the way DTrace prints them (with or without trailing
/// spaces, keyed or not, negative counts drawn left of the pipe), read back by the grammar: the same key, total,
/// rows and kind come out.
/// </summary>
public sealed class QuantizeRoundTripTests
{
    sealed class Tables : ITraceSink
    {
        public readonly List<AggregationTable> Read = new();
        public readonly List<long> Unparsed = new();
        public void OnEvent(long lineNumber, EventLine ev) { }
        public void OnFlow(long lineNumber, FlowLine flow) { }
        public void OnNote(long lineNumber, string kind, string text) { }
        public void OnUnparsed(long lineNumber, string text) => Unparsed.Add(lineNumber);
        public void OnAggregation(AggregationTable table) => Read.Add(table);
    }

    sealed record Generated(IReadOnlyList<string> Key, long? Total, List<Bucket> Rows, string Kind);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Tables_written_like_dtrace_read_back_the_same(int seed)
    {
        var random = new Random(seed);
        var generated = Enumerable.Range(0, 150).Select(i => Generate(random, i)).ToList();
        bool trailing = random.Next(2) == 0;
        string indent = random.Next(3) == 0 ? "   " : "";
        var log = new StringBuilder("Tracing... Hit Ctrl-C to end.\n^C\n\nRandom tables:\n");
        foreach (var g in generated) Write(log, g, trailing, indent);

        var sink = new Tables();
        new TraceReader(sink).Read(new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(log.ToString()))));

        Assert.Empty(sink.Unparsed);
        Assert.Equal(generated.Count, sink.Read.Count);
        foreach (var (g, t) in generated.Zip(sink.Read))
        {
            // A title standing alone above an unkeyed table labels it (as `Location (KB),` in diskhits): it is its key.
            Assert.Equal(g == generated[0] && g.Key.Count == 0 ? ["Random tables:"] : g.Key, t.Key);
            Assert.Equal(g.Total, t.Total);
            Assert.Equal(g.Rows, t.Buckets);
            Assert.Equal("Random tables", t.Section);
            if (g.Kind == AggregationKind.LQuantize && !g.Rows.Any(r => r.Bound is not null) && LooksLikeQuantize(g.Rows))
                Assert.Equal(AggregationKind.Quantize, t.Kind); // rows such as 0, 1, 2 are both: either reading is right
            else Assert.Equal(g.Kind, t.Kind);
        }
    }

    static Generated Generate(Random random, int index)
    {
        var rows = random.Next(2) == 0 ? QuantizeRows(random) : LQuantizeRows(random);
        bool negative = random.Next(8) == 0;
        for (int i = 0; i < rows.Rows.Count; i++)
        {
            long count = i == 0 || i == rows.Rows.Count - 1 || random.Next(3) == 0 ? 0 : random.NextInt64(1, random.Next(2) == 0 ? 100 : 1_000_000_000_000);
            rows.Rows[i] = rows.Rows[i] with { Count = negative && random.Next(2) == 0 ? -count : count };
        }
        return random.Next(3) switch
        {
            0 => new Generated([], null, rows.Rows, rows.Kind),
            1 => new Generated([$"file{index}.py", $"func_{index}"], random.NextInt64(0, 1L << 40), rows.Rows, rows.Kind),
            _ => new Generated([$"key-{index}"], null, rows.Rows, rows.Kind),
        };
    }

    static (List<Bucket> Rows, string Kind) QuantizeRows(Random random)
    {
        // consecutive power-of-two buckets: ..., -4, -2, -1, 0, 1, 2, 4, ...
        var all = new List<long>();
        for (int e = 40; e >= 0; e--) all.Add(-(1L << e));
        all.Add(0);
        for (int e = 0; e <= 40; e++) all.Add(1L << e);
        int length = random.Next(3, 20), start = random.Next(random.Next(2) == 0 ? 0 : 35, all.Count - length);
        return (all.Skip(start).Take(length).Select(v => new Bucket(v, 0)).ToList(), AggregationKind.Quantize);
    }

    static (List<Bucket> Rows, string Kind) LQuantizeRows(Random random)
    {
        long min = random.Next(-200, 200), step = random.Next(1, 5000);
        int levels = random.Next(2, 30);
        var all = new List<Bucket> { new(min, 0, "<") };
        for (int i = 0; i < levels; i++) all.Add(new Bucket(min + i * step, 0));
        all.Add(new Bucket(min + levels * step, 0, ">="));
        int start = random.Next(2) == 0 ? 0 : random.Next(0, all.Count - 3);
        int length = random.Next(3, all.Count - start + 1);
        return (all.Skip(start).Take(length).ToList(), AggregationKind.LQuantize);
    }

    /// <summary>DTrace's layout: key line (or a blank line for an unkeyed table), header, one row per bucket, blank line.</summary>
    static void Write(StringBuilder log, Generated g, bool trailing, string indent)
    {
        string pad = trailing ? " " : "";
        if (g.Key.Count == 0) log.Append('\n');
        else if (g.Total is { } total) log.Append($"{indent}   {string.Join(", ", g.Key)}, bytes total = {total}{pad}\n");
        else log.Append($"{indent}  {(trailing ? g.Key[0].PadRight(50) : g.Key[0])}\n"); // DTrace pads string keys to 50 columns
        log.Append(indent + "           value  ------------- Distribution ------------- count" + (trailing ? "    " : "") + "\n");
        decimal sum = g.Rows.Sum(r => Math.Abs((decimal)r.Count));
        bool neg = g.Rows.Any(r => r.Count < 0), pos = g.Rows.Any(r => r.Count > 0);
        int width = neg && pos ? 20 : 40;
        foreach (var r in g.Rows)
        {
            int ats = sum == 0 ? 0 : (int)(Math.Abs((decimal)r.Count) * width / sum + 0.5m);
            string label = r.Bound is null ? r.Value.ToString(CultureInfo.InvariantCulture) : $"{r.Bound} {r.Value}";
            string bars = !neg ? "|" + new string('@', ats).PadRight(40)
                : !pos ? new string('@', ats).PadLeft(40) + "|"
                : (r.Count < 0 ? new string('@', ats) : "").PadLeft(20) + "|" + (r.Count > 0 ? new string('@', ats) : "").PadRight(20);
            string row = $"{indent}{label,16} {bars} {r.Count.ToString(CultureInfo.InvariantCulture),-9}";
            log.Append(trailing ? row : row.TrimEnd()).Append('\n');
        }
        log.Append(trailing ? indent : "").Append('\n');
    }

    static bool LooksLikeQuantize(IReadOnlyList<Bucket> rows) =>
        rows.Zip(rows.Skip(1)).All(p => p.First.Value switch
        {
            0 => p.Second.Value == 1,
            -1 => p.Second.Value == 0,
            > 0 and var v => (v & (v - 1)) == 0 && p.Second.Value == v * 2,
            var v => v < -1 && ((-v) & (-v - 1)) == 0 && p.Second.Value == v / 2,
        });
}
