using System.Text.RegularExpressions;
using PyMemTrace.Plots;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering.Html;
using PyMemTrace.Tests.Support;
using SkiaSharp;

namespace PyMemTrace.Tests.Analyses;

/// <summary>The one-file HTML report: self-contained, escaped, right figures; and loaded in a real headless browser.</summary>
public class HtmlReportTests
{
    static string Render(string log, out long traceId)
    {
        using var dir = new TempDir();
        traceId = InProcess.Import(dir.Db, log).TraceId;
        using var conn = InProcess.Read(dir.Db);
        var data = TraceReportData.Load(conn, traceId);
        return HtmlReportWriter.Render(data, ReportFigures.For(data));
    }

    static readonly string TwoPids = Fixtures.Path_("analyses/two-pids.log");

    [Fact]
    public void The_report_references_nothing_outside_the_file()
    {
        string html = Render(Fixtures.Generated("pyraw-call-stack.log"), out _);
        var targets = Regex.Matches(html, @"\b(?:src|href|action|poster|srcset|xlink:href)\s*=\s*(?:""([^""]*)""|'([^']*)'|([^\s>]+))", RegexOptions.IgnoreCase)
            .Select(m => m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value).ToList();
        Assert.NotEmpty(targets);   // the navigation links
        Assert.All(targets, t => Assert.True(t.StartsWith('#') || t.StartsWith("data:"), "external reference: " + t));
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(Regex.Matches(html, @"url\(([^)]*)\)").Select(m => m.Groups[1].Value), u => Assert.StartsWith("#fig-", u));   // clip paths of the figures
        var ids = Regex.Matches(html, @"\bid=""([^""]+)""").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var urls = Regex.Matches(html, @"https?://[^\s""'<>]*").Select(m => m.Value).Distinct().Order();
        Assert.Equal(["http://www.w3.org/1999/xlink", "http://www.w3.org/2000/svg"], urls);   // XML namespace names, never fetched
        Assert.Contains("default-src 'none'", html);
        Assert.Equal(2, Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Count);   // the page's own script and the flame graph's data
        Assert.Single(Regex.Matches(html, "<script>", RegexOptions.IgnoreCase));
        Assert.Contains("<script type=\"application/json\" id=\"flame-data\">", html);   // data, never run
        Assert.Contains("<select id=\"flame-weight\"><option value=\"leaked\">leaked</option><option value=\"peak\">live at peak</option><option value=\"requested\">requested</option></select>", html);
    }

    [Fact]
    public void Hostile_names_are_escaped_and_the_headline_has_the_peak_and_top_leak_site()
    {
        string html = Render(TwoPids, out _);
        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("x&amp;&quot;&#39;.py", html);
        Assert.DoesNotContain("x&\"'.py", html);
        Assert.Contains("<b id=\"peak-bytes\" data-v=\"4203\">4.10 KiB <small>(4,203 B)</small></b>", html);   // rounded, with the exact count
        Assert.Contains("<b id=\"peak-event\">13</b>", html);
        Assert.Contains("<b id=\"peak-line\">14</b>", html);
        Assert.Contains("<b id=\"top-leak\">x&amp;&quot;&#39;.py:40 run</b>, 100 B in 1 block (93.5% of what leaked)", html);
        Assert.Contains("<b>missed frees: 1</b>", html);
        // the verdict carries its caveats in its first sentence: a missed free, two processes added up
        Assert.Contains("<b id=\"leaked-bytes\" data-v=\"107\">107 B</b> never freed in 2 blocks — but 1 free was missed (a pointer came back while still live); these are 2 processes added up (each one below).", html);
        Assert.DoesNotContain("id=\"flame-data\"", html);   // no flow lines, no stacks
        Assert.True(html.IndexOf("id=\"verdict\"", StringComparison.Ordinal) < html.IndexOf("id=\"leaks\"", StringComparison.Ordinal));
        foreach (var section in new[] { "verdict", "processes", "warnings", "timeline", "leaks", "functions", "reallocs", "sizes", "temporary", "details" })
            Assert.Contains($"<section id=\"{section}\">", html);
    }

    [Fact]
    public void Rounded_sizes_in_tables_keep_the_exact_bytes_for_sorting_and_reading()
    {
        string html = Render(TwoPids, out _);
        Assert.Contains("<td class=\"num\" data-v=\"4096\">4,096 <small>4.00 KiB</small></td>", html);
    }

    [Fact]
    public void The_report_command_writes_one_file()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", TwoPids, "--db", dir.Db, "-q");
        var r = Pmanalyze.Ok("report", "--db", dir.Db, "--out", dir.File("r.html"));
        Assert.Contains("wrote", r.Stdout);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(dir.File("r.html")));
        Assert.Equal(2, Pmanalyze.Exec("report", "--db", dir.Db, "--out", dir.File("missing/dir/r.html")).ExitCode);
    }

    [Fact]
    public void Report_base_compares_two_runs_and_hides_unchanged_sites_and_the_full_path_only_on_request()
    {
        using var dir = new TempDir();
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-base.log"), "--db", dir.Db, "--name", "before", "-q");
        Pmanalyze.Ok("import", Fixtures.Path_("analyses/diff-new.log"), "--db", dir.Db, "--name", "after", "-q");
        var diff = Pmanalyze.Ok("diff", "--db", dir.Db, "--base", "before", "--format", "json").Json.AsArray();
        int Status(string s) => diff.Count(r => r!["status"]!.GetValue<string>() == s);
        Assert.Contains("against trace 1", Pmanalyze.Ok("report", "--db", dir.Db, "--base", "before", "--out", dir.File("r.html")).Stdout);
        string html = File.ReadAllText(dir.File("r.html"));
        Assert.Contains("<section id=\"compare\">", html);
        Assert.Contains($"Per site: {Status("changed")} site", html);
        Assert.Contains($"{Status("unchanged")} unchanged site", html);
        var changedTable = html[html.IndexOf("id=\"t-compare\"", StringComparison.Ordinal)..html.IndexOf("</table>", html.IndexOf("id=\"t-compare\"", StringComparison.Ordinal), StringComparison.Ordinal)];
        Assert.Equal(Status("changed") + Status("new") + Status("vanished"), Regex.Matches(changedTable, "<tr").Count - 1);
        Assert.DoesNotContain(">unchanged<", changedTable);
        Assert.DoesNotContain(Fixtures.Dir, html);   // the log's folder stays private by default
        Assert.Contains("diff-new.log", html);
        Pmanalyze.Ok("report", "--db", dir.Db, "--full-path", "--out", dir.File("full.html"));
        Assert.Contains(Fixtures.Path_("analyses"), File.ReadAllText(dir.File("full.html")));
    }

    [Fact]
    public void Identifiers_have_no_thousands_separators_and_long_tables_open_collapsed()
    {
        string html = Render(Fixtures.Generated("pyraw-call-stack.log"), out _);
        Assert.Matches(@"<b id=""peak-event"">2811</b> \(log line <b id=""peak-line"">3581</b>\)", html);
        Assert.Contains("<td class=\"num\" data-v=\"34948\">34948</td>", html);   // a pid
        Assert.Contains("<td class=\"num\" data-v=\"1494\">1494</td>", html);     // a source line
        Assert.Contains("<table class=\"data collapsed\" id=\"t-leaks\">", html);
        Assert.Contains("<button type=\"button\" class=\"show-all\" data-for=\"t-leaks\">Show all 381 rows</button>", html);
        Assert.Contains("(first 20 of 381)", html);   // the leak figure's title
        Assert.Contains("2 processes, each on its own", html);
    }

    [Fact]
    public void The_report_shows_leaks_by_stack_growth_the_peaks_consumers_and_the_site_timeline_with_their_numbers()
    {
        // figures the block reports give on this log (BlockReportTests checks them against the generator's model)
        string html = Render(Fixtures.Generated("pyraw-call-stack.log"), out _);
        string Row(string table) => html[html.IndexOf("<tbody>", html.IndexOf($"id=\"{table}\"", StringComparison.Ordinal), StringComparison.Ordinal)..][..1200];
        Assert.Contains("enum.py:__new__;enum.py:__new__:1494</td><td class=\"num\" data-v=\"1\">1</td><td class=\"num\" data-v=\"4699714\">", Row("t-leak-stacks"));
        Assert.Contains("The first 100 of 488, the rest summed in the last row", html);   // leaks by stack
        Assert.Contains("[388 other stacks]</td><td class=\"num\" data-v=\"507\">507</td><td class=\"num\" data-v=\"3814821\">", html);
        Assert.Contains("The first 100 of 467, the rest summed in the last row", html);   // live at the peak by stack
        Assert.Contains("<td class=\"text\">json_decoder.py</td><td class=\"num\" data-v=\"1877\">1877</td><td class=\"text\">&lt;module&gt;</td><td class=\"num\" data-v=\"6\">6</td><td class=\"num\" data-v=\"20\">20</td><td class=\"num\" data-v=\"2301674\">", Row("t-growth"));
        Assert.Contains("<b>grew</b> counts in how many of the run's equal slices", html);
        Assert.Contains("The first 100 of 381; all of them: <code>pmanalyze leaks --by growth --trace 1</code>", html);
        Assert.Contains("id=\"peak-moment\">68.36 MiB <small>(71,676,288 B)</small> in 761 blocks live right after event <b>2811</b> (log line <b>3581</b>), the first moment", html);
        Assert.Contains("<td class=\"text\">enum.py</td><td class=\"num\" data-v=\"1494\">1494</td><td class=\"text\">__new__</td><td class=\"num\" data-v=\"5523784\">", Row("t-peak"));
        Assert.Contains("<figure id=\"fig-sites\"><svg", html);
        Assert.Contains("The live bytes of the 8 sites with the most live bytes at any moment", html);
        Assert.True(html.IndexOf("id=\"verdict\"", StringComparison.Ordinal) < html.IndexOf("id=\"leaks\"", StringComparison.Ordinal));   // the verdict stays first

        // a timed log: the peak's moment in seconds, the figures' x axes in seconds
        string timed = Render(Fixtures.Path_("timed/paced-cache.log"), out _);
        Assert.Contains("right after event <b>2488</b> (log line <b>2489</b>, <b id=\"peak-seconds\">2.082 s</b> after the first time stamp)", timed);
        Assert.Contains("<td class=\"text\">/srv/paced/paced_cache.py</td><td class=\"num\" data-v=\"31\">31</td><td class=\"text\">remember</td><td class=\"num\" data-v=\"208964\">", timed);
        Assert.Equal(2, Regex.Matches(timed, "seconds since the first time stamp").Count);   // the timeline and the per-site timeline
    }

    /// <summary>Native stacks (ustack(), record --native) come without flow lines: the report still draws them.</summary>
    [Fact]
    public void A_trace_with_native_stacks_only_gets_its_stack_tables_and_flame_graph()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("native.log"), """
            dtrace:::BEGIN
             4711 /home/u/app.py:49   -> plant malloc(1111) pntr 0x55d5c3a4e630

                          libc.so.6`malloc+0x0
                          libffi.so.8`ffi_call+0xcc
                          python3.11`_start+0x20

             4711 /home/u/app.py:50   -> plant malloc(222) pntr 0x55d5c3a4e700

                          libc.so.6`malloc+0x0
                          python3.11`_start+0x20

            dtrace:::END

            """);
        string html = Render(dir.File("native.log"), out _);
        Assert.Contains("<script type=\"application/json\" id=\"flame-data\">", html);
        Assert.Contains("id=\"t-leak-stacks\"", html);
        Assert.Contains("id=\"t-peak-stacks\"", html);
        Assert.Contains("libffi.so.8:ffi_call", html);
    }

    [Theory]
    [InlineData("generated/pyraw-call-stack.log")]
    [InlineData("analyses/two-pids.log")]
    [InlineData("generated/libc-2pids-quirks.log")]
    public void What_was_live_at_the_peak_adds_up_to_the_peak(string log)
    {
        using var dir = new TempDir();
        long traceId = InProcess.Import(dir.Db, Fixtures.Path_(log)).TraceId;
        using var conn = InProcess.Read(dir.Db);
        var data = TraceReportData.Load(conn, traceId);
        long peak = (long)data.Summary.Rows[0][data.Summary.IndexOf("peak_bytes")]!, peakEvent = (long)data.Summary.Rows[0][data.Summary.IndexOf("peak_event")]!;
        // blocks live right after the peak event, as the accounting stored them on that event
        long blocks = Dapper.SqlMapper.ExecuteScalar<long>(conn, "SELECT live_blocks FROM events WHERE trace_id = @traceId AND seq = @peakEvent", new { traceId, peakEvent });
        Assert.Equal(blocks, data.PeakLiveBlocks);
        var holders = data.PeakHolders!;
        Assert.Equal(peak, holders.Rows.Sum(r => (long)r[holders.IndexOf("bytes")]!));
        Assert.Equal(blocks, holders.Rows.Sum(r => (long)r[holders.IndexOf("blocks")]!));
        if (data.Weight("peak") is { } weight) Assert.Equal(peak, weight.TotalBytes);
        if (data.Weight("leaked") is { } leaked)
            Assert.Equal((long)data.Summary.Rows[0][data.Summary.IndexOf("bytes_outstanding")]!, leaked.TotalBytes);
    }

    [ChromiumTheory]
    [InlineData(800)]
    [InlineData(1400)]
    public void In_headless_chromium_the_report_fits_the_window_and_its_flame_graph_zooms_and_searches(int width)
    {
        using var dir = new TempDir();
        string page = dir.File("report.html");
        File.WriteAllText(page, Render(Fixtures.Generated("pyraw-call-stack.log"), out _));
        // the page's self-test clicks a frame (zoom), searches a frame's name, inverts, tries every weight, sorts and
        // filters every table, and measures the page against the window
        var run = Chromium.Exec(new Uri(page).AbsoluteUri + "#selftest", "--dump-dom", $"--window-size={width},1000");
        Assert.Empty(Chromium.ConsoleMessages(run));
        var result = Regex.Match(run.Stdout, "<pre id=\"selftest\" data-result=\"(\\w+)\">([^<]*)</pre>");
        Assert.True(result.Success, "the page's self-test wrote no result: " + run.Stderr[..Math.Min(2000, run.Stderr.Length)]);
        Assert.True(result.Groups[1].Value == "pass", result.Groups[2].Value);
        Assert.Contains("flame=tested", result.Groups[2].Value);
        int measured = int.Parse(Regex.Match(result.Groups[2].Value, @"width=(\d+)").Groups[1].Value);
        Assert.InRange(measured, width - 20, width);   // the window's width less a scroll bar
        // issue 13's parts are on the page, inside it (measured above): the per-site timeline among the figures
        Assert.Contains("figures=fig-leaks,fig-timeline,fig-sites,fig-functions,fig-sizes ", result.Groups[2].Value);
        Assert.EndsWith("sections=verdict,processes,leaks,growth,flame,peak,timeline,functions,sizes,reallocs,temporary,warnings,details", result.Groups[2].Value);
        foreach (var table in new[] { "t-leak-stacks", "t-growth", "t-peak", "t-peak-stacks" })
            Assert.Contains($"id=\"{table}\"", run.Stdout);
    }

    [ChromiumFact]
    public void In_headless_chromium_the_report_loads_without_console_messages_and_its_tables_sort_and_filter()
    {
        using var dir = new TempDir();
        string page = dir.File("report.html");
        File.WriteAllText(page, Render(TwoPids, out _));
        var run = Chromium.Exec(new Uri(page).AbsoluteUri + "#selftest", "--dump-dom", "--window-size=800,1000");
        Assert.Empty(Chromium.ConsoleMessages(run));
        var result = Regex.Match(run.Stdout, "<pre id=\"selftest\" data-result=\"(\\w+)\">([^<]*)</pre>");
        Assert.True(result.Success, "the page's self-test wrote no result: " + run.Stderr[..Math.Min(2000, run.Stderr.Length)]);
        Assert.True(result.Groups[1].Value == "pass", result.Groups[2].Value);
        Assert.Matches(@"tables=([5-9]|\d\d)", result.Groups[2].Value);
        Assert.Contains("flame=none", result.Groups[2].Value);
        Assert.Single(Regex.Matches(run.Stdout, "<script", RegexOptions.IgnoreCase));   // the hostile name stayed text
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", run.Stdout);
    }

    [ChromiumFact]
    public void In_headless_chromium_a_screenshot_of_the_report_is_not_blank()
    {
        using var dir = new TempDir();
        string page = dir.File("report.html"), shot = dir.File("shot.png");
        File.WriteAllText(page, Render(Fixtures.Generated("pyraw-call-stack.log"), out _));
        var run = Chromium.Exec(new Uri(page).AbsoluteUri, $"--screenshot={shot}", "--window-size=800,1600");
        Assert.True(File.Exists(shot), "no screenshot: " + run.Stderr[..Math.Min(2000, run.Stderr.Length)]);
        Assert.Empty(Chromium.ConsoleMessages(run));
        using var bitmap = SKBitmap.Decode(shot);
        Assert.Equal((800, 1600), (bitmap.Width, bitmap.Height));
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 4)
            for (int x = 0; x < bitmap.Width; x += 4) colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 20, $"only {colours.Count} colours in the screenshot");
    }
}
