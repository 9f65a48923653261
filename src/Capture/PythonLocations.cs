using System.Globalization;
using System.Text.RegularExpressions;

namespace PyMemTrace.Capture;

/// <summary>
/// The Python locations toolkit/py_where.bt printed (<c>@NANOSECONDS TID FILE:LINE -> FUNCTION</c>), by thread and
/// time: <see cref="At"/> gives the location a thread had entered last at or before a moment.
/// </summary>
public sealed partial class PythonLocations
{
    readonly Dictionary<int, List<(long Ns, PyLocation Where)>> _byThread = new();
    bool _sorted;

    public long Count { get; private set; }

    /// <summary>Takes a line of py_where.bt; other lines (BEGIN, END, bpftrace's notices) are not locations.</summary>
    public bool Add(string line)
    {
        if (Location().Match(line) is not { Success: true } m) return false;
        int tid = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (!_byThread.TryGetValue(tid, out var list)) _byThread[tid] = list = new();
        list.Add((long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            new PyLocation(m.Groups[3].Value, int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), m.Groups[5].Value)));
        Count++;
        _sorted = false;
        return true;
    }

    public PyLocation? At(int tid, long ns)
    {
        if (!_byThread.TryGetValue(tid, out var list)) return null;
        if (!_sorted)
        {
            foreach (var l in _byThread.Values) l.Sort((a, b) => a.Ns.CompareTo(b.Ns));
            _sorted = true;
        }
        int lo = 0, hi = list.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (list[mid].Ns <= ns) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? null : list[found].Where;
    }

    [GeneratedRegex(@"^@(\d+) (\d+) (.+):(\d+) -> (.*)$")]
    private static partial Regex Location();
}
