using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// `timeline` as a table is read by a person: without --points it shows at most 1,000 points (each run's highest and
/// lowest, so the peak) and says so; csv and json keep every event; --points still chooses.
/// </summary>
public sealed class TimelineTableTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_table_of_a_long_trace_is_cut_to_a_thousand_points_and_says_so_while_csv_keeps_every_event()
    {
        Pmanalyze.Ok("import", Fixtures.Generated("libc-3000-quirks.log"), "--db", _dir.Db, "-q");
        const string note = "downsampled to at most 1,000 points a timeline";
        var table = Pmanalyze.Ok("timeline", "--db", _dir.Db).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int rows = table.Count(l => char.IsDigit(l.TrimStart().FirstOrDefault()));
        Assert.InRange(rows, 500, 1000);
        Assert.Contains(note, table[^1]);
        var csv = Pmanalyze.Ok("timeline", "--db", _dir.Db, "--format", "csv").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3000 + 1, csv.Length);   // a header and every event
        var chosen = Pmanalyze.Ok("timeline", "--db", _dir.Db, "--points", "2000").Stdout;
        Assert.DoesNotContain(note, chosen);
        Assert.InRange(chosen.Split('\n').Count(l => char.IsDigit(l.TrimStart().FirstOrDefault())), 1001, 2000);
        Assert.Contains(note, Pmanalyze.Ok("timeline", "--db", _dir.Db, "--per-pid").Stdout);
    }
}
