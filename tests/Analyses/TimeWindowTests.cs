using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// Windows in seconds and timelines in seconds on a real timed log (tests/fixtures/timed: a bpftrace capture whose
/// lines carry @NANOSECONDS), against a model that reads the log's lines directly: each malloc, calloc or realloc makes
/// a block live, a free or realloc of a live pointer ends it; a window in seconds holds the events stamped inside it.
/// </summary>
public sealed class TimeWindowTests : IDisposable
{
    static readonly string Log = Fixtures.Path_("timed/paced-cache.log");
    readonly TempDir _dir = new();

    public TimeWindowTests() => Pmanalyze.Ok("import", Log, "--db", _dir.Db, "-q");

    public void Dispose() => _dir.Dispose();

    /// <summary>One memory line: its stamp, site, what it made live (pointer, size) and what it ended (pointer).</summary>
    sealed record Line(long Ns, string Site, long? Made, long Size, long? Ended);

    static readonly Regex Event = new(@"^@(\d+)\s+\d+\s+(.*?):(\d+)\s+-> (\S+) (malloc|calloc|realloc|free)\(([^)]*)\)(?: pntr 0x([0-9a-f]+))?$", RegexOptions.Compiled);

    static List<Line> Lines() => File.ReadLines(Log).Select(l => Event.Match(l)).Where(m => m.Success).Select(m =>
    {
        long Hex(string s) => long.Parse(s.Replace("0x", ""), NumberStyles.HexNumber);
        var args = m.Groups[6].Value.Split(", ");
        string site = $"{m.Groups[2].Value}|{m.Groups[3].Value}|{m.Groups[4].Value}";
        long ns = long.Parse(m.Groups[1].Value);
        return m.Groups[5].Value switch
        {
            "malloc" => new Line(ns, site, Hex(m.Groups[7].Value), long.Parse(args[0]), null),
            "calloc" => new Line(ns, site, Hex(m.Groups[7].Value), long.Parse(args[0]) * long.Parse(args[1]), null),
            "realloc" => new Line(ns, site, Hex(m.Groups[7].Value), long.Parse(args[1]), Hex(args[0])),
            _ => new Line(ns, site, null, 0, Hex(args[0])),
        };
    }).ToList();

    /// <summary>Blocks allocated between the two stamps and live at the end of the window, by site: "site count bytes".</summary>
    static List<string> LeaksIn(List<Line> lines, long fromNs, long toNs)
    {
        var live = new Dictionary<long, (Line Made, bool InWindow)>();
        foreach (var l in lines.Where(l => l.Ns <= toNs))
        {
            if (l.Ended is { } e) live.Remove(e);
            if (l.Made is { } p) live[p] = (l, l.Ns >= fromNs);
        }
        return live.Values.Where(b => b.InWindow).GroupBy(b => b.Made.Site)
            .Select(g => $"{g.Key} {g.Count()} {g.Sum(b => b.Made.Size)}").Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void Leaks_in_a_window_of_seconds_are_the_blocks_stamped_in_it_and_live_at_its_end()
    {
        var lines = Lines();
        Assert.Equal(2925, lines.Count);   // every event of the log, as the import counts them
        long t0 = lines.Min(l => l.Ns);
        var rows = Pmanalyze.Ok("leaks", "--db", _dir.Db, "--from", "0.5s", "--to", "1.5s", "--format", "json").Json.AsArray();
        var got = rows.Select(r => $"{r!["file"]}|{r["line"]}|{r["function"]} {r["count"]} {r["bytes"]}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(LeaksIn(lines, t0 + 500_000_000, t0 + 1_500_000_000), got);
        // the program keeps one 2 KiB body a request, 20 ms apart: 50 in a second, and the 8 pages of its cache
        Assert.Contains("/srv/paced/paced_cache.py|31|remember 50 102577", got);
        Assert.Contains("/srv/paced/paced_cache.py|16|render 8 39944", got);
        // the same window as event numbers gives the same rows
        long first = lines.FindIndex(l => l.Ns >= t0 + 500_000_000) + 1, last = lines.FindLastIndex(l => l.Ns <= t0 + 1_500_000_000) + 1;
        var byNumber = Pmanalyze.Ok("leaks", "--db", _dir.Db, "--from", $"{first}", "--to", $"{last}", "--format", "json").Json.AsArray();
        Assert.Equal(rows.ToJsonString(), byNumber.ToJsonString());
    }

    [Fact]
    public void The_timeline_and_the_peak_give_seconds_since_the_first_stamp()
    {
        var lines = Lines();
        long t0 = lines.Min(l => l.Ns);
        var timeline = Pmanalyze.Ok("timeline", "--db", _dir.Db, "--format", "json").Json.AsArray();
        Assert.Equal(lines.Count, timeline.Count);
        for (int i = 0; i < lines.Count; i += 97)
            Assert.Equal(Math.Round((lines[i].Ns - t0) / 1e9, 6), timeline[i]!["seconds"]!.GetValue<double>());
        var peak = timeline.Single(r => r!["peak"]!.GetValue<bool>())!;
        Assert.Equal((2488, 2.082322), (peak["event"]!.GetValue<long>(), peak["seconds"]!.GetValue<double>()));
        Assert.Equal(2.082322, (lines[2487].Ns - t0) / 1e9, 6);
        var headline = Pmanalyze.Ok("peak", "--db", _dir.Db, "--top", "1");
        Assert.Contains("after event 2,488 (log line 2,489; 2.082 s after the first time stamp)", headline.Stdout);
        var sites = Pmanalyze.Ok("timeline", "--db", _dir.Db, "--by", "site", "--top", "2", "--points", "3", "--format", "json").Json.AsArray();
        Assert.All(sites, r => Assert.Equal(timeline[(int)r!["event"]!.GetValue<long>() - 1]!["seconds"]!.GetValue<double>(), r["seconds"]!.GetValue<double>()));
    }

    [Fact]
    public void A_window_in_seconds_past_the_log_or_on_a_log_without_stamps_is_one_clear_line()
    {
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", _dir.Db, "--from", "9s"), "no event is stamped that late");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("peak", "--db", _dir.Db, "--from", "2s", "--to", "1s"), "--from 2s is after --to 1s");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", _dir.Db, "--from", "1.5x"), "an event number (1 or more) or seconds such as 1.5s");
        using var untimed = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/two-pids.log"), "--db", untimed.Db, "-q");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("leaks", "--db", untimed.Db, "--from", "1s"), "seconds need a timed log");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("plot", "timeline", "--db", untimed.Db, "--x", "time", "--out", untimed.File("t.png")), "seconds need a timed log");
        Assert.DoesNotContain("seconds", Pmanalyze.Ok("timeline", "--db", untimed.Db, "--format", "csv").Stdout);   // no clock, no column
    }

    [Fact]
    public void A_timed_timeline_plots_seconds_and_event_numbers_on_request()
    {
        string time = _dir.File("time.svg"), events = _dir.File("events.svg");
        Pmanalyze.Ok("plot", "timeline", "--db", _dir.Db, "--out", time);
        Pmanalyze.Ok("plot", "timeline", "--db", _dir.Db, "--x", "event", "--out", events);
        Assert.Contains("seconds since the first time stamp", File.ReadAllText(time));
        Assert.Contains("2.082 s", File.ReadAllText(time));   // the peak's legend
        Assert.Contains("event number", File.ReadAllText(events));
        Assert.DoesNotContain("seconds since", File.ReadAllText(events));
    }
}
