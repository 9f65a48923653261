using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>check as a CI job uses it: sizes with units, per-site and per-stack limits that name the offender, JUnit XML, a log not whole.</summary>
public class CheckGateTests
{
    static readonly string CallStacks = Fixtures.Generated("pyraw-call-stack.log");

    static System.Text.Json.Nodes.JsonNode Row(Pmanalyze.Run run, string limit) =>
        run.Json.AsArray().Single(r => r!["limit"]!.GetValue<string>() == limit)!;

    [Theory]
    [InlineData("71458946", 71458946, true)]
    [InlineData("71458945", 71458945, false)]
    [InlineData("68.15MiB", 71460454, true)]      // 68.15 × 1,048,576 = 71,460,454.4
    [InlineData("68MiB", 71303168, false)]
    [InlineData("71.46 MB", 71460000, true)]
    [InlineData("71458.945KB", 71458945, false)]
    [InlineData("1GiB", 1073741824, true)]
    [InlineData("1gb", 1000000000, true)]
    public void Limits_take_sizes_with_units(string size, long allowed, bool ok)
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", CallStacks, "--db", dir.Db, "-q");   // 71,458,946 bytes never freed (the generator's truth)
        var run = Pmanalyze.Exec("check", "--db", dir.Db, "--max-leaked-bytes", size, "--format", "json");
        Assert.Equal(ok ? 0 : 1, run.ExitCode);
        Assert.Equal(allowed, Row(run, "max-leaked-bytes")["allowed"]!.GetValue<long>());
        Assert.Equal(71458946, Row(run, "max-leaked-bytes")["value"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("1 MiB B")]
    [InlineData("1XB")]
    [InlineData("99999999999TiB")]
    [InlineData("-1KiB")]
    public void A_size_that_is_no_size_is_a_usage_error(string size)
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", CallStacks, "--db", dir.Db, "-q");
        Pmanalyze.OneLineFailure(Pmanalyze.Exec("check", "--db", dir.Db, "--max-peak-bytes", size), "--max-peak-bytes");
    }

    [Fact]
    public void A_site_limit_names_every_site_over_it_the_largest_first()
    {
        var truth = Fixtures.Json(Fixtures.Generated("pyraw-call-stack.truth.json"))["leaks"]!.AsArray()
            .Select(l => (Name: $"{l!["file"]}:{l["line"]} {l["function"]}", Bytes: l["bytes"]!.GetValue<long>())).OrderByDescending(l => l.Bytes).ToList();
        using var dir = new TempDir();
        Pmanalyze.Ok("import", CallStacks, "--db", dir.Db, "-q");
        long limit = 2_700_000;
        var over = truth.Where(l => l.Bytes > limit).ToList();
        var run = Pmanalyze.Exec("check", "--db", dir.Db, "--max-site-leaked-bytes", $"{limit}", "--format", "json");
        Assert.Equal(1, run.ExitCode);
        var row = Row(run, "max-site-leaked-bytes");
        Assert.Equal(truth[0].Bytes, row["value"]!.GetValue<long>());   // enum.py:1494 __new__, 5,523,784 bytes
        string detail = row["detail"]!.GetValue<string>();
        Assert.StartsWith($"{over.Count} sites over 2.57 MiB (2,700,000 bytes): enum.py:1494 __new__ leaked 5.27 MiB (5,523,784 bytes) in 4 blocks; ", detail);
        Assert.EndsWith($"; and {over.Count - 3} more", detail);
        Assert.Equal(0, Pmanalyze.Exec("check", "--db", dir.Db, "--max-site-leaked-bytes", $"{truth[0].Bytes}").ExitCode);
    }

    [Fact]
    public void A_stack_limit_names_the_stack_and_needs_call_stacks()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", CallStacks, "--db", dir.Db, "-q");
        // the largest leak of one call stack, by a query of its own over the documented views
        var largest = Pmanalyze.Ok("query",
            "SELECT p.path, sum(b.size) AS bytes FROM leaked_blocks b JOIN events e ON e.trace_id = b.trace_id AND e.seq = b.event " +
            "JOIN stack_paths p ON p.stack_id = e.stack_id GROUP BY p.path ORDER BY bytes DESC LIMIT 1", "--db", dir.Db, "--format", "json").Json[0]!;
        long bytes = largest["bytes"]!.GetValue<long>();
        string leaf = largest["path"]!.GetValue<string>().Split(';')[^1];
        var broken = Pmanalyze.Exec("check", "--db", dir.Db, "--max-stack-leaked-bytes", $"{bytes - 1}", "--format", "json");
        Assert.Equal(1, broken.ExitCode);
        var row = Row(broken, "max-stack-leaked-bytes");
        Assert.Equal(bytes, row["value"]!.GetValue<long>());
        Assert.StartsWith("1 stack over", row["detail"]!.GetValue<string>());
        Assert.Contains($";{leaf} leaked ", row["detail"]!.GetValue<string>());
        Assert.Equal(0, Pmanalyze.Exec("check", "--db", dir.Db, "--max-stack-leaked-bytes", $"{bytes}").ExitCode);

        Pmanalyze.Ok("import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");   // no call stacks
        var none = Pmanalyze.Exec("check", "--db", dir.Db, "--max-stack-leaked-bytes", "1GiB");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("the trace has no call stacks, so this limit cannot be checked", none.Stdout);
    }

    [Fact]
    public void A_log_that_is_not_whole_fails_the_gate_unless_allowed()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Seed("02-11879-pyrawmalloc.log"), "--db", dir.Db, "-q");   // stops before dtrace:::END
        var run = Pmanalyze.Exec("check", "--db", dir.Db, "--max-leaked-bytes", "1GiB");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("check FAILED: whole-log broken", run.Stdout);
        Assert.Contains("the log is not whole (--allow-incomplete lets it pass): the log stops before dtrace:::END", run.Stdout);
        var allowed = Pmanalyze.Exec("check", "--db", dir.Db, "--max-leaked-bytes", "1GiB", "--allow-incomplete");
        Assert.Equal(0, allowed.ExitCode);
        Assert.Contains("allowed by --allow-incomplete", allowed.Stdout);
    }

    [Fact]
    public void Junit_xml_validates_and_has_one_testcase_per_limit_with_the_numbers_of_each_failure()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/two-pids.log"), "--db", dir.Db, "-q");   // a site named <script>alert(1)</script>, a file x&"'.py
        string xml = dir.File("check.xml");
        var run = Pmanalyze.Exec("check", "--db", dir.Db, "--max-leaked-bytes", "100", "--max-peak-bytes", "1MiB",
            "--max-site-leaked-bytes", "50", "--fail-on-drops", "--junit", xml);
        Assert.Equal(1, run.ExitCode);

        var schemas = new XmlSchemaSet();
        schemas.Add(null, Fixtures.Path_("junit/junit.xsd"));
        var errors = new List<string>();
        var doc = XDocument.Load(xml);
        doc.Validate(schemas, (_, e) => errors.Add(e.Message));
        Assert.Empty(errors);

        var suite = doc.Root!.Element("testsuite")!;
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(["max-leaked-bytes", "max-peak-bytes", "max-site-leaked-bytes", "fail-on-drops", "whole-log"], cases.Select(c => (string)c.Attribute("name")!));
        Assert.Equal("5", (string)suite.Attribute("tests")!);
        Assert.Equal("3", (string)suite.Attribute("failures")!);
        Assert.Equal("max-leaked-bytes: value 107, allowed 100", (string)cases[0].Element("failure")!.Attribute("message")!);
        Assert.Null(cases[1].Element("failure"));
        Assert.StartsWith("value 4203, allowed 1048576", cases[1].Element("system-out")!.Value);
        Assert.Contains("x&\"'.py:40 run leaked 100 bytes in 1 block", cases[2].Element("failure")!.Value);
        Assert.Contains("1 missed frees", cases[3].Element("failure")!.Value);
    }
}
