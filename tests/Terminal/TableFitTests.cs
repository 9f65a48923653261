using PyMemTrace.Reports.Rendering;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Terminal;

/// <summary>
/// Terminal tables as a person reads them (issue 14, "The terminal"): byte counts in human units, identifiers without
/// separators, every line within the terminal's width at 80 and 100 columns, unchanged diff rows left out.
/// </summary>
public class TableFitTests : IClassFixture<TableFitTests.Imported>
{
    /// <summary>Three traces: the debug-build seed log, and the two runs of the diff fixtures (a long file name among them).</summary>
    public sealed class Imported : ImportedOnce
    {
        public Imported()
        {
            Import(Fixtures.Seed("05-15114-debug-pymalloc-177.log"));
            Import(Fixtures.Path_("analyses/diff-base.log"));
            Import(Fixtures.Path_("analyses/diff-new.log"));
            Import(Fixtures.Generated("gentrace-pyraw-callstack-2pids-seed8.log"));
        }
    }

    readonly Imported _db;

    public TableFitTests(Imported db) => _db = db;

    static Dictionary<string, string?> Width(int columns) => new() { ["COLUMNS"] = columns.ToString() };

    string[] Lines(int columns, params string[] args)
    {
        var run = Pmanalyze.ExecWithEnvironment(Width(columns), [.. args, "--db", _db.Db]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.Stdout.TrimEnd('\n').Split('\n');
    }

    public static TheoryData<int, string> Tables()
    {
        var data = new TheoryData<int, string>();
        foreach (var width in new[] { 80, 100 })
            foreach (var command in new[] { "summary --trace 1", "leaks --trace 1", "leaks --by pointer --trace 1", "functions --trace 2",
                         "traces", "diff --base 2 --trace 3", "diff --base 2 --trace 3 --unchanged", "reallocs --trace 1", "temporary --trace 2",
                         "sizes --trace 2", "timeline --trace 1 --points 20", "reconcile --trace 1", "query SELECT~*~FROM~traces",
                         "stacks --trace 4 --format table" })
                data.Add(width, command);
        return data;
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void No_line_is_wider_than_the_terminal(int width, string command)
    {
        var lines = Lines(width, command.Split(' ').Select(a => a.Replace('~', ' ')).ToArray());
        Assert.True(lines.Length >= 3, string.Join('\n', lines));
        Assert.All(lines, l => Assert.True(TerminalText.Width(l) <= width, $"{TerminalText.Width(l)} > {width}: {l}"));
    }

    [Fact]
    public void Traces_fit_by_leaving_out_columns_that_csv_keeps()
    {
        var lines = Lines(80, "traces");
        Assert.Matches(@"^ 1 +05-15114-debug", lines[2]); // (no run name: an empty run_name column)
        Assert.DoesNotMatch(@"[0-9a-f]{64}", string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("(left out to fit 80 columns: source, sha256, unparsed_lines"));
        var csv = Pmanalyze.Ok("traces", "--db", _db.Db, "--format", "csv").Stdout;
        Assert.Matches(@",[0-9a-f]{64},", csv);                      // the whole sha256
        var wide = Pmanalyze.ExecWithEnvironment(new Dictionary<string, string?> { ["COLUMNS"] = null }, "traces", "--db", _db.Db).Stdout;
        Assert.Matches(@"  [0-9a-f]{64}  ", wide);                    // no terminal, no COLUMNS: nothing cut
    }

    [Fact]
    public void Expendable_columns_go_before_names_are_cut_and_a_stack_keeps_its_leaf()
    {
        var functions = Lines(80, "functions", "--trace", "1");
        Assert.Equal("file          function              allocs  bytes_allocated  bytes_outstanding", functions[0]);
        Assert.Equal("(left out to fit 80 columns: reallocs, frees, bytes_freed; --format csv has", functions[^2]);
        var stacks = Lines(80, "stacks", "--trace", "4", "--format", "table");
        Assert.StartsWith("stack  ", stacks[0]);
        Assert.DoesNotContain("frames", stacks[0]);
        Assert.Contains(stacks, l => l.StartsWith(TerminalText.Ellipsis) && l.Contains(";process.py:raw_decode;core.py:parse_line "));
    }

    [Fact]
    public void Sizes_are_in_human_units_and_exact_with_bytes()
    {
        // 05-15114: bytes_allocated 6090, bytes_outstanding 2538, peak 2650 (seed/EXPECTED.md)
        var summary = string.Join('\n', Lines(100, "summary", "--trace", "1"));
        Assert.Contains("bytes_allocated            5.95 KiB", summary);
        Assert.Contains("bytes_outstanding          2.48 KiB", summary);
        Assert.Contains("peak_bytes                 2.59 KiB", summary);
        Assert.Contains("max_alloc                  488 B", summary);
        Assert.Contains("events                     92", summary);          // a count is no size
        var exact = string.Join('\n', Lines(100, "summary", "--trace", "1", "--bytes"));
        Assert.Contains("bytes_outstanding          2538", exact);
        Assert.Equal(2538, Pmanalyze.Ok("summary", "--db", _db.Db, "--trace", "1", "--format", "json").Json["bytes_outstanding"]!.GetValue<long>());
        Assert.Contains(",2538,", Pmanalyze.Ok("summary", "--db", _db.Db, "--trace", "1", "--format", "csv").Stdout);
    }

    [Fact]
    public void A_saturated_total_reads_as_this_much_or_more()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("numbers/one-site-leaks-past-2-63.log"), "--db", dir.Db, "-q");
        var leaks = Pmanalyze.ExecWithEnvironment(Width(80), "leaks", "--db", dir.Db).Stdout;
        Assert.Matches(@"big\.py\s+1\s+grow\s+3\s+≥ 8\.00 EiB", leaks);
        var summary = Pmanalyze.ExecWithEnvironment(Width(80), "summary", "--db", dir.Db).Stdout;
        Assert.Contains("bytes_outstanding          ≥ 8.00 EiB", summary);
        Assert.Contains("max_alloc                  ≥ 8.00 EiB", summary);   // one block of 2^63 − 1 bytes: "or more" is true too
        Assert.Contains("bytes_outstanding          9223372036854775807", Pmanalyze.ExecWithEnvironment(Width(80), "summary", "--db", dir.Db, "--bytes").Stdout);
    }

    [Theory]
    [InlineData(0, "0 B  ")]
    [InlineData(1023, "1023 B  ")]
    [InlineData(1024, "1.00 KiB")]
    [InlineData(1536, "1.50 KiB")]
    [InlineData(-1536, "-1.50 KiB")]
    [InlineData(8418135097L, "7.84 GiB")]
    [InlineData(long.MaxValue, "≥ 8.00 EiB")]
    [InlineData(-long.MaxValue, "≤ -8.00 EiB")]
    public void Byte_counts_in_a_table(long bytes, string shown) => Assert.Equal(shown, ByteUnits.Aligned(bytes));

    [Fact]
    public void One_precision_per_column_and_identifiers_without_separators()
    {
        var lines = Lines(100, "leaks", "--by", "pointer", "--trace", "1");
        Assert.Equal("  pid  pointer            size  file          line  function              log_line", lines[0]);
        Assert.Matches(@"^15114  0x[0-9a-f]+  488 B    ex_dtrace\.py   114  main\s+\d+$", lines[2]);
        var functions = Lines(100, "functions", "--trace", "2");
        var allocated = functions.Skip(2).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"(\d+(\.\d+)?) (B  |KiB|MiB|GiB)").Groups[1].Value).ToList();
        Assert.All(allocated.Where(v => v.Contains('.')), v => Assert.Matches(@"^\d+\.\d\d$", v));
        Assert.Contains(lines, l => l.Contains("1406"));
        Assert.DoesNotContain(lines, l => l.Contains("1,406") || l.Contains("15,114"));
    }

    [Fact]
    public void Diff_leaves_out_unchanged_rows_in_the_table_and_says_how_many()
    {
        var json = Pmanalyze.Ok("diff", "--db", _db.Db, "--base", "2", "--trace", "3", "--format", "json").Json.AsArray();
        int unchanged = json.Count(r => r!["status"]!.GetValue<string>() == "unchanged");
        Assert.True(unchanged > 0);
        var table = Lines(300, "diff", "--base", "2", "--trace", "3");
        Assert.DoesNotContain(table, l => l.EndsWith("unchanged"));
        Assert.Equal(json.Count - unchanged + 3, table.Length);              // header, rule, rows, note
        Assert.Equal($"({unchanged} unchanged sites not shown; --unchanged shows them)", table[^1]);
        var all = Lines(300, "diff", "--base", "2", "--trace", "3", "--unchanged");
        Assert.Equal(json.Count + 2, all.Length);
        Assert.Equal(unchanged, all.Count(l => l.EndsWith("unchanged")));
        var top = Lines(300, "diff", "--base", "2", "--trace", "3", "--top", "5");
        Assert.Equal(5 + 3, top.Length);
    }
}
