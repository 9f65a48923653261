using System.Text.Json.Nodes;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>diff and check through the real executable, on generated logs whose exact leak reports are known.</summary>
public class DiffAndCheckTests
{
    static string Log(string name) => Fixtures.Path_($"analyses/{name}.log");

    static (string Db, long Base, long Trace) ImportTwo(TempDir dir, string @base, string trace)
    {
        Pmanalyze.Ok("import", Log(@base), "--db", dir.Db, "-q");
        Pmanalyze.Ok("import", Log(trace), "--db", dir.Db, "-q");
        return (dir.Db, 1, 2);
    }

    /// <summary>Leaks by (file, line, function) from the generator's exact truth.</summary>
    static Dictionary<string, (long Bytes, long Count)> Leaks(string name) =>
        Fixtures.NormalizeStrings(Fixtures.Json(Fixtures.Path_($"analyses/{name}.truth.json")))!["leaks"]!.AsArray()
            .ToDictionary(l => $"{l!["file"]}|{l["line"]}|{l["function"]}", l => (l!["bytes"]!.GetValue<long>(), l["count"]!.GetValue<long>()));

    [Theory]
    [InlineData("diff-base", "diff-new")]     // same sites, longer run
    [InlineData("diff-base", "diff-other")]   // another seed and style: sites mostly new or vanished
    public void Diff_rows_are_the_difference_of_the_two_exact_leak_reports(string @base, string trace)
    {
        using var dir = new TempDir();
        var (db, b, t) = ImportTwo(dir, @base, trace);
        var rows = Pmanalyze.Ok("diff", "--db", db, "--base", b.ToString(), "--trace", t.ToString(), "--format", "json").Json.AsArray();
        var before = Leaks(@base);
        var after = Leaks(trace);
        var seen = new HashSet<string>();
        foreach (var row in rows)
        {
            string key = $"{row!["file"]}|{row["line"]}|{row["function"]}";
            Assert.True(seen.Add(key), "one row per site: " + key);
            var x = before.GetValueOrDefault(key);
            var y = after.GetValueOrDefault(key);
            Assert.Equal(x.Bytes, row["base_leaked_bytes"]!.GetValue<long>());
            Assert.Equal(y.Bytes, row["leaked_bytes"]!.GetValue<long>());
            Assert.Equal(y.Bytes - x.Bytes, row["delta_leaked_bytes"]!.GetValue<long>());
            Assert.Equal(x.Count, row["base_leaked_count"]!.GetValue<long>());
            Assert.Equal(y.Count, row["leaked_count"]!.GetValue<long>());
        }
        Assert.Subset(seen, before.Keys.Union(after.Keys).ToHashSet());
        var deltas = rows.Select(r => r!["delta_leaked_bytes"]!.GetValue<long>()).ToList();
        Assert.Equal(deltas.OrderDescending(), deltas);
        if (trace == "diff-new") Assert.Contains(rows, r => r!["status"]!.GetValue<string>() == "changed");
        else
        {
            Assert.Contains(rows, r => r!["status"]!.GetValue<string>() == "new" && r["base_allocated_bytes"]!.GetValue<long>() == 0);
            Assert.Contains(rows, r => r!["status"]!.GetValue<string>() == "vanished" && r["allocated_bytes"]!.GetValue<long>() == 0);
        }
    }

    [Fact]
    public void Diff_by_function_sums_the_sites_of_each_function()
    {
        using var dir = new TempDir();
        var (db, b, t) = ImportTwo(dir, "diff-base", "diff-new");
        var sites = Pmanalyze.Ok("diff", "--db", db, "--base", $"{b}", "--trace", $"{t}", "--format", "json").Json.AsArray();
        var funcs = Pmanalyze.Ok("diff", "--db", db, "--base", $"{b}", "--trace", $"{t}", "--by", "function", "--format", "json").Json.AsArray();
        var expected = sites.GroupBy(r => $"{r!["file"]}|{r["function"]}")
            .ToDictionary(g => g.Key, g => g.Sum(r => r!["delta_leaked_bytes"]!.GetValue<long>()));
        Assert.Equal(expected.Count, funcs.Count);
        foreach (var f in funcs)
        {
            Assert.Null(f!["line"]);
            Assert.Equal(expected[$"{f["file"]}|{f["function"]}"], f["delta_leaked_bytes"]!.GetValue<long>());
        }
    }

    [Fact]
    public void Check_exits_0_when_every_limit_holds_and_1_naming_each_broken_limit()
    {
        using var dir = new TempDir();
        var (db, b, t) = ImportTwo(dir, "diff-base", "diff-new");
        var truth = Fixtures.Json(Fixtures.Path_("analyses/diff-new.truth.json"));
        long leaked = truth["bytes_outstanding"]!.GetValue<long>(), blocks = truth["leaked_blocks"]!.GetValue<long>(), peak = truth["peak_bytes"]!.GetValue<long>();
        long growth = leaked - Fixtures.Json(Fixtures.Path_("analyses/diff-base.truth.json"))["bytes_outstanding"]!.GetValue<long>();

        var ok = Pmanalyze.Exec("check", "--db", db, "--max-leaked-bytes", $"{leaked}", "--max-leaked-blocks", $"{blocks}",
            "--max-peak-bytes", $"{peak}", "--max-growth-bytes", $"{growth}", "--base", $"{b}", "--fail-on-drops");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("check passed", ok.Stdout);

        var broken = Pmanalyze.Exec("check", "--db", db, "--max-leaked-bytes", $"{leaked - 1}", "--max-leaked-blocks", $"{blocks}",
            "--max-peak-bytes", $"{peak - 1}", "--max-growth-bytes", $"{growth - 1}", "--base", $"{b}");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("check FAILED: max-leaked-bytes, max-peak-bytes, max-growth-bytes broken", broken.Stdout);

        var json = Pmanalyze.Exec("check", "--db", db, "--max-leaked-blocks", $"{blocks - 1}", "--format", "json");
        Assert.Equal(1, json.ExitCode);
        var row = json.Json.AsArray().Single(r => r!["limit"]!.GetValue<string>() != "whole-log")!;
        Assert.Equal("max-leaked-blocks", row["limit"]!.GetValue<string>());
        Assert.Equal(blocks, row["value"]!.GetValue<long>());
        Assert.False(row["ok"]!.GetValue<bool>());
    }

    [Fact]
    public void Check_fails_on_drops_when_a_free_was_missed()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Log("two-pids"), "--db", dir.Db, "-q");
        var r = Pmanalyze.Exec("check", "--db", dir.Db, "--fail-on-drops");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("fail-on-drops", r.Stdout);
        Assert.Contains("1 missed frees", r.Stdout);
    }

    [Theory]
    [InlineData()]                                                     // no limit at all
    [InlineData("--max-growth-bytes", "10")]                           // growth without a base
    [InlineData("--max-leaked-bytes", "ten")]                          // not a number
    [InlineData("--max-leaked-bytes", "10", "--trace", "99")]          // no such trace
    [InlineData("--max-growth-bytes", "10", "--base", "99")]           // no such base
    public void Check_exits_2_on_usage_and_input_errors(params string[] args)
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Log("two-pids"), "--db", dir.Db, "-q");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec(["check", "--db", dir.Db, .. args]), "pmanalyze: ");
    }

    [Fact]
    public void Check_on_a_missing_database_exits_2()
    {
        using var dir = new TempDir();
        var r = Pmanalyze.Exec("check", "--db", dir.File("none.db"), "--max-leaked-bytes", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no database", r.Stderr);
    }
}
