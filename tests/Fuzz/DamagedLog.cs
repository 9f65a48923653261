using System.Text;
using CsCheck;

namespace PyMemTrace.Tests.Fuzz;

/// <summary>The ways a log gets damaged, each applied at a place and with a size and a choice drawn by the generator.</summary>
public enum DamageKind
{
    Cut, ByteFlip, Garbage, LineEnds, NulRun, LongLine, InvalidUtf8, DeleteLines, BeginEnd, HugeNumber, SumPast2To63, DuplicateLines,
}

/// <summary>One damage: where (At, taken modulo the log's length or line count), how much (Size) and which variant (Choice).</summary>
public sealed record Damage(DamageKind Kind, int At, int Size, int Choice)
{
    public override string ToString() => $"{Kind}(at {At}, size {Size}, choice {Choice})";
}

/// <summary>A fixture log (or a window of its lines, for a big one) and the damages applied to it in order.</summary>
public sealed record DamagedLog(string Fixture, int Window, Damage[] Damages)
{
    const int WindowLines = 300, HeaderLines = 12, WholeUpTo = 64 * 1024;

    /// <summary>
    /// Whether to draw the HTML report's figures too: for every log with absurd numbers, and one in eight others (the
    /// figures cost more than the rest of a case together).
    /// </summary>
    public bool DrawFigures => Window % 8 == 0 || Damages.Any(d => d.Kind is DamageKind.HugeNumber or DamageKind.SumPast2To63 or DamageKind.LongLine);

    public override string ToString() => $"{Fixture} (window {Window}): {string.Join(", ", Damages.Select(d => d.ToString()))}";

    /// <summary>Every fixture log the fuzzer starts from, relative to tests/fixtures.</summary>
    public static IReadOnlyList<string> Fixtures { get; } = Directory
        .GetFiles(Support.Fixtures.Dir, "*.*", SearchOption.AllDirectories)
        .Where(p => p.EndsWith(".log", StringComparison.Ordinal) || (p.EndsWith(".txt", StringComparison.Ordinal) && !p.Contains("refmodel")))
        .Select(p => Path.GetRelativePath(Support.Fixtures.Dir, p)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Damaged logs: a fixture, a window, and one to <paramref name="maxDamages"/> damages; long lines up to <paramref name="maxLongLine"/> bytes.</summary>
    public static Gen<DamagedLog> Generator(int maxDamages, int maxLongLine)
    {
        var damage = Gen.Select(Gen.Enum<DamageKind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, 64], Gen.Int[0, 1 << 20],
            (kind, at, size, choice) => new Damage(kind, at, kind == DamageKind.LongLine ? Math.Max(1, maxLongLine / 64 * size) : size, choice));
        return Gen.Select(Gen.Int[0, Fixtures.Count - 1], Gen.Int[0, int.MaxValue], damage.Array[1, maxDamages],
            (f, window, damages) => new DamagedLog(Fixtures[f], window, damages));
    }

    /// <summary>The bytes of the damaged log.</summary>
    public byte[] Build()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Support.Fixtures.Dir, Fixture));
        if (bytes.Length > WholeUpTo) bytes = WindowOf(bytes);
        foreach (var d in Damages) bytes = Apply(bytes, d);
        return bytes;
    }

    /// <summary>A big fixture's first lines (its header and dtrace:::BEGIN) and a window of its other lines, so a case stays small.</summary>
    byte[] WindowOf(byte[] bytes)
    {
        var lines = Lines(bytes);
        int start = HeaderLines + Window % Math.Max(1, lines.Count - HeaderLines);
        return Join(lines.Take(HeaderLines).Concat(lines.Skip(start).Take(WindowLines)).ToList());
    }

    static readonly string[] HugeNumbers =
    [
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "-1",
        "-9223372036854775808", "0", "4294967296", "99999999999999999999999999999", "2147483648", "00000000000000000000000001",
    ];

    static readonly byte[][] BadUtf8 = [[0xc3, 0x28], [0xff], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0xaf]];

    static byte[] Apply(byte[] bytes, Damage d)
    {
        int at = bytes.Length == 0 ? 0 : d.At % (bytes.Length + 1);
        var rng = new Random(d.Choice);
        switch (d.Kind)
        {
            case DamageKind.Cut:
                return bytes[..at];
            case DamageKind.ByteFlip:
                if (bytes.Length == 0) return bytes;
                var flipped = (byte[])bytes.Clone();
                for (int i = 0; i <= d.Size % 4; i++) flipped[(at + i * 7919) % bytes.Length] ^= (byte)(1 + rng.Next(255));
                return flipped;
            case DamageKind.Garbage:
                var garbage = new byte[1 + d.Size * 4];
                rng.NextBytes(garbage);
                return Insert(bytes, at, garbage);
            case DamageKind.NulRun:
                return Insert(bytes, at, new byte[1 + d.Size * 16]);
            case DamageKind.InvalidUtf8:
                return Insert(bytes, at, BadUtf8[d.Choice % BadUtf8.Length]);
            case DamageKind.LongLine:
                return InsertLine(bytes, d.At, LongLine(d.Size, d.Choice));
            case DamageKind.LineEnds:
                return LineEnds(bytes, d);
        }
        var lines = Lines(bytes);
        int line = lines.Count == 0 ? 0 : d.At % lines.Count;
        switch (d.Kind)
        {
            case DamageKind.DeleteLines:
                // half the time right after an aggregation's header: a quantize table cut short
                int header = lines.FindIndex(l => Encoding.Latin1.GetString(l).Contains("Distribution"));
                int from = d.Choice % 2 == 0 && header >= 0 ? header + 1 + d.Size % 3 : line;
                lines.RemoveRange(Math.Min(from, lines.Count), Math.Min(1 + d.Size % 8, Math.Max(0, lines.Count - from)));
                break;
            case DamageKind.BeginEnd:
                switch (d.Choice % 4)
                {
                    case 0: lines.Insert(line, "dtrace:::BEGIN"u8.ToArray()); break;
                    case 1: lines.Insert(line, "dtrace:::END"u8.ToArray()); break;
                    default:
                        string marker = d.Choice % 4 == 2 ? "dtrace:::BEGIN" : "dtrace:::END";
                        int found = lines.FindIndex(l => Encoding.Latin1.GetString(l).Trim() == marker);
                        if (found >= 0) lines.RemoveAt(found);
                        break;
                }
                break;
            case DamageKind.HugeNumber:
                if (lines.Count > 0) lines[line] = WithNumberReplaced(lines[line], d.Size, HugeNumbers[d.Choice % HugeNumbers.Length]);
                break;
            case DamageKind.SumPast2To63:
                lines.InsertRange(InsideBlock(lines, line), HugeBlocks(d));
                if (d.Choice % 3 == 0) lines.AddRange(HugeAggregation(d));
                break;
            case DamageKind.DuplicateLines:
                lines.InsertRange(line, lines.Skip(line).Take(1 + d.Size % 16).ToList());
                break;
        }
        return Join(lines);
    }

    /// <summary>A line of n bytes: letters, digits, an event line with a huge function name, or a huge malloc size.</summary>
    static byte[] LongLine(int n, int choice) => (choice % 4) switch
    {
        0 => Encoding.ASCII.GetBytes(new string('A', n)),
        1 => Encoding.ASCII.GetBytes(new string('7', n)),
        2 => Encoding.ASCII.GetBytes($"  4242     long.py:1    -> {new string('f', n)} malloc(24) pntr 0x4000"),
        _ => Encoding.ASCII.GetBytes($"  4242     long.py:1    -> f malloc({new string('9', n)}) pntr 0x4000"),
    };

    /// <summary>CR/LF mixtures: CRLF everywhere, bare CRs for some newlines, a stray CR, or every newline dropped in a stretch.</summary>
    static byte[] LineEnds(byte[] bytes, Damage d)
    {
        var result = new List<byte>(bytes.Length + bytes.Length / 16);
        int start = bytes.Length == 0 ? 0 : d.At % bytes.Length, end = start + 64 * (1 + d.Size);
        for (int i = 0; i < bytes.Length; i++)
        {
            bool inStretch = i >= start && i < end;
            switch (d.Choice % 4)
            {
                case 0 when bytes[i] == '\n': result.Add((byte)'\r'); result.Add((byte)'\n'); continue;
                case 1 when bytes[i] == '\n' && inStretch: result.Add((byte)'\r'); continue;
                case 2 when i == start: result.Add((byte)'\r'); break;
                case 3 when bytes[i] == '\n' && inStretch: continue;
            }
            result.Add(bytes[i]);
        }
        return result.ToArray();
    }

    static byte[] WithNumberReplaced(byte[] line, int which, string number)
    {
        var text = Encoding.Latin1.GetString(line);
        var runs = System.Text.RegularExpressions.Regex.Matches(text, "[0-9]+");
        if (runs.Count == 0) return line;
        var run = runs[which % runs.Count];
        return Encoding.Latin1.GetBytes(text[..run.Index] + number + text[(run.Index + run.Length)..]);
    }

    /// <summary>A line index just after the first dtrace:::BEGIN (where events count), else the given one.</summary>
    static int InsideBlock(List<byte[]> lines, int fallback)
    {
        int begin = lines.FindIndex(l => Encoding.Latin1.GetString(l).Trim() == "dtrace:::BEGIN");
        return begin >= 0 ? begin + 1 : fallback;
    }

    /// <summary>Two to five blocks of 2^63 − 1 bytes at one site, freed or not, whose sizes add past 2^63.</summary>
    static IEnumerable<byte[]> HugeBlocks(Damage d)
    {
        int count = 2 + d.Size % 4;
        for (int i = 0; i < count; i++)
        {
            yield return Encoding.ASCII.GetBytes($"  4242     huge.py:{1 + i % 2}    -> grow malloc(9223372036854775807) pntr 0x{0x7f0000 + i:x}");
            if (d.Choice % 2 == 1) yield return Encoding.ASCII.GetBytes($"  4242     huge.py:9    -> grow free(0x{0x7f0000 + i:x})");
        }
    }

    /// <summary>Per (file, function) aggregation totals of the memory scripts, adding past 2^63.</summary>
    static IEnumerable<byte[]> HugeAggregation(Damage d)
    {
        for (int i = 0; i < 2 + d.Size % 2; i++)
            foreach (var l in new[]
                     {
                         "", "   huge.py, grow, total bytes = 9223372036854775807",
                         "           value  ------------- Distribution ------------- count",
                         "  4611686018427387904 |                                         0",
                         "  9223372036854775807 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 9223372036854775807",
                     })
                yield return Encoding.ASCII.GetBytes(l);
    }

    static byte[] Insert(byte[] bytes, int at, byte[] what) => [.. bytes.AsSpan(0, at), .. what, .. bytes.AsSpan(at)];

    static byte[] InsertLine(byte[] bytes, int at, byte[] line)
    {
        var lines = Lines(bytes);
        lines.Insert(lines.Count == 0 ? 0 : at % lines.Count, line);
        return Join(lines);
    }

    /// <summary>The lines without their '\n' (a last line without one is a line).</summary>
    static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] == '\n') { lines.Add(bytes[start..i]); start = i + 1; }
        if (start < bytes.Length) lines.Add(bytes[start..]);
        return lines;
    }

    static byte[] Join(List<byte[]> lines)
    {
        var result = new byte[lines.Sum(l => l.Length + 1)];
        int at = 0;
        foreach (var l in lines) { l.CopyTo(result, at); at += l.Length; result[at++] = (byte)'\n'; }
        return result;
    }

    /// <summary>How many lines pmanalyze must count: every '\n', and a last line without one.</summary>
    public static long LineCount(byte[] bytes) =>
        bytes.AsSpan().Count((byte)'\n') + (bytes.Length > 0 && bytes[^1] != '\n' ? 1 : 0);
}
