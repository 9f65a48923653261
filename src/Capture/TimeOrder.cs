using System.Globalization;

namespace PyMemTrace.Capture;

/// <summary>
/// Puts bpftrace's lines back in time order. bpftrace reads one buffer per CPU, so a line can arrive after lines
/// stamped later than it. Each stamped line (<c>@NANOSECONDS rest</c>) is held until a line stamped more than the
/// window later has arrived (or more than <paramref name="maxHeld"/> lines are held), then written in stamp order,
/// equal stamps in arrival order. A line stamped before one already written cannot be put in its place: it is
/// written at once and counted in <see cref="Late"/>, and the log then says that its order cannot be trusted.
/// dtrace:::END is written last, after every event. Lines without a stamp (bpftrace's <c>Lost N events</c>) are
/// written as they come.
/// </summary>
public sealed class TimeOrder(TextWriter output, TimeSpan window, bool keepStamps, int maxHeld = 2_000_000)
{
    readonly PriorityQueue<(long Stamp, string Text), (long Stamp, long Seq)> _held = new();
    readonly long _windowNs = (long)(window.TotalMilliseconds * 1_000_000);
    long _seq, _newest = long.MinValue, _lastWritten = long.MinValue;
    (long Stamp, string Text)? _end;

    public long Events { get; private set; }
    public long Late { get; private set; }
    /// <summary>Lines that arrived after a line stamped later than them, and were put back in their place.</summary>
    public long Reordered { get; private set; }
    public long Lost { get; private set; }
    public int MostHeld { get; private set; }
    public bool SawBegin { get; private set; }
    public bool SawEnd => _end is not null;

    public void Add(string line)
    {
        if (!TrySplit(line, out long stamp, out string rest))
        {
            PassThrough(line);
            return;
        }
        if (rest == "dtrace:::END") { _end = (stamp, rest); return; }
        if (rest == "dtrace:::BEGIN") SawBegin = true;
        else Events++;
        if (stamp < _lastWritten)
        {
            Late++;
            Write(stamp, rest);
            return;
        }
        if (stamp < _newest) Reordered++;
        _held.Enqueue((stamp, rest), (stamp, _seq++));
        if (stamp > _newest) _newest = stamp;
        MostHeld = Math.Max(MostHeld, _held.Count);
        while (_held.Count > 0 && (_held.Peek().Stamp <= _newest - _windowNs || _held.Count > maxHeld))
            WriteHeld();
    }

    /// <summary>Writes every held line, then dtrace:::END, then, if lines came too late, a line that says so.</summary>
    public void Finish()
    {
        while (_held.Count > 0) WriteHeld();
        if (_end is { } end)
        {
            output.WriteLine();
            Write(end.Stamp, end.Text);
        }
        if (Late > 0) output.WriteLine(OrderWarning);
        output.Flush();
    }

    public string OrderWarning => string.Create(CultureInfo.InvariantCulture,
        $"pmanalyze record: {Late} lines came more than the reorder window ({_windowNs / 1e9:0.##} s) late and are out of time order: the order of this trace cannot be trusted");

    void WriteHeld()
    {
        var (stamp, rest) = _held.Dequeue();
        Write(stamp, rest);
    }

    void Write(long stamp, string rest)
    {
        if (stamp > _lastWritten) _lastWritten = stamp;
        if (keepStamps)
        {
            output.Write('@');
            output.Write(stamp.ToString(CultureInfo.InvariantCulture));
            output.Write(' ');
        }
        output.WriteLine(rest);
    }

    void PassThrough(string line)
    {
        if (line.StartsWith("Attaching ", StringComparison.Ordinal) && line.EndsWith(" probes...", StringComparison.Ordinal)) return;
        if (line.Length == 0) return; // bpftrace's blank lines around its map printouts
        if (LostEvents(line) is { } n) Lost += n;
        output.WriteLine(line);
    }

    /// <summary>bpftrace's notice that a CPU buffer overflowed: <c>Lost N events</c>.</summary>
    public static long? LostEvents(string line)
    {
        var t = line.AsSpan().Trim();
        if (!t.StartsWith("Lost ") || !t.EndsWith(" events")) return null;
        return long.TryParse(t[5..^7], NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
    }

    /// <summary><c>@NANOSECONDS rest</c>: the stamp and the line after it.</summary>
    public static bool TrySplit(string line, out long stamp, out string rest)
    {
        stamp = 0;
        rest = line;
        int space = line.IndexOf(' ');
        if (line.Length < 3 || line[0] != '@' || space < 2) return false;
        if (!long.TryParse(line.AsSpan(1, space - 1), NumberStyles.None, CultureInfo.InvariantCulture, out stamp)) return false;
        rest = line[(space + 1)..];
        return true;
    }
}
