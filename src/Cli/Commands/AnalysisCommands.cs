using System.CommandLine;
using Microsoft.Data.Sqlite;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>timeline, sizes, temporary, diff, check: read the store, render one table (check also sets the exit code).</summary>
internal static class AnalysisCommands
{
    public static IEnumerable<Command> All()
    {
        yield return Timeline();
        yield return ReportCommands.Whole("sizes", "Histogram of requested sizes in power-of-two buckets (like DTrace's quantize)",
            (c, t, _) => SizesReport.Buckets(c, t));
        yield return ReportCommands.Report("temporary", "Temporary allocations per site: blocks freed by the very next event of the same pid",
            (c, t, top, _) => TemporaryReport.Sites(c, t, top));
        yield return Diff();
        yield return Check();
    }

    public static Option<int?> Points() => new("--points") { Description = $"Downsample to at most N points, keeping each run's highest and lowest (and so the peak); at least {TimelineReport.MinPoints}" };

    static Command Timeline()
    {
        var points = Points();
        var pid = new Option<int?>("--pid") { Description = "Timeline of this pid only (live bytes of its own blocks)" };
        var perPid = new Option<bool>("--per-pid") { Description = "One timeline per pid, rows prefixed with the pid" };
        var (by, top, filters) = BySiteOptions();
        return ReportCommands.Whole("timeline", "Live bytes and blocks after each event (x = event number and log line); the peak marked; --by site: the biggest sites' live bytes",
            (c, t, pr) =>
            {
                int? n = pr.GetValue(points);
                if (n is < TimelineReport.MinPoints) throw new UsageException($"--points must be at least {TimelineReport.MinPoints}");
                // a table is read by a person: a 16 M-event trace would print 16 M rows; csv and json stay whole
                bool cut = n is null && pr.GetValue<string>("--format") == "table";
                if (cut) n = TableDefaultPoints;
                if (pr.GetValue(by) != "site" && pr.GetValue(top) is not null) throw new UsageException("--top goes with --by site (the total timeline is shown whole)");
                if (pr.GetValue(by) == "site")
                {
                    if (pr.GetValue(perPid)) throw new UsageException("--per-pid and --by site do not go together (use --pid P)");
                    return SiteSeries.Timeline(c, filters.Read(pr, pr.GetValue(pid)).Resolve(c, t), pr.GetValue(top) ?? SiteSeries.DefaultSites, n);
                }
                if (pr.GetValue(pid) is { } p)
                {
                    if (!TimelineReport.Pids(c, t).Contains(p)) throw new UsageException($"trace {t} has no events of pid {p}");
                    return Downsampled(TimelineReport.ForPid(c, t, p, n), c, t, cut);
                }
                return Downsampled(pr.GetValue(perPid) ? TimelineReport.PerPid(c, t, n)
                    : ReportCommands.SeveralPids(TimelineReport.Total(c, t, n), c, t, "the live bytes of {0} pids added up (--per-pid or --pid P for each)"), c, t, cut);
            }, [points, pid, perPid, by, top, .. filters.All()]);
    }

    /// <summary>Points of a timeline table when --points is not given.</summary>
    const int TableDefaultPoints = 1000;

    /// <summary>A table cut to <see cref="TableDefaultPoints"/> says so, when the trace has more events than that.</summary>
    static ReportTable Downsampled(ReportTable table, SqliteConnection conn, long traceId, bool cut)
    {
        if (!cut || EventFilter.None.Resolve(conn, traceId).Events <= TableDefaultPoints) return table;
        string note = $"downsampled to at most {TableDefaultPoints:N0} points a timeline, each run's highest and lowest kept (--points N for more; --format csv or json for every event)";
        return table with { Note = table.Note is null ? note : table.Note + "; " + note };
    }

    /// <summary>timeline's and plot timeline's --by total|site, --top N sites, --exclude and --suppressions.</summary>
    public static (Option<string> By, Option<int?> Top, FilterOptions Filters) BySiteOptions()
    {
        var by = new Option<string>("--by") { Description = "total (all live bytes, default) or site (live bytes of the --top biggest sites, downsampled to --points, default 1000)", DefaultValueFactory = _ => "total" };
        by.AcceptOnlyFromAmong("total", "site");
        var top = new Option<int?>("--top") { Description = $"With --by site: how many sites (those with the most live bytes at any moment; default {SiteSeries.DefaultSites})" };
        CommonOptions.AtLeast(top, 1);
        return (by, top, new FilterOptions(pid: false, window: false));
    }

    public static Option<string> Base(bool required) => new("--base")
    {
        Description = "The base run to compare with: its trace id or name (see 'pmanalyze traces')",
        Required = required,
    };

    static Command Diff()
    {
        var @base = Base(required: true);
        var by = new Option<string>("--by") { Description = "site (file, line, function; default) or function (file, function)", DefaultValueFactory = _ => "site" };
        by.AcceptOnlyFromAmong("site", "function");
        var unchanged = new Option<bool>("--unchanged") { Description = "Table output: also list the sites whose figures did not change (CSV and JSON always have them)" };
        return ReportCommands.Report("diff", "Compare two runs per site: leaked and allocated bytes in the base and this trace, sorted by growth",
            (c, t, top, pr) =>
            {
                var b = TraceCatalog.ResolveIdOrName(c, pr.GetValue(@base)).Id;
                return DiffReport.Compare(c, b, t, pr.GetValue(by) == "function" ? DiffReport.Grouping.Function : DiffReport.Grouping.Site, top,
                    unchanged: pr.GetValue(unchanged) || pr.GetValue<string>("--format") != "table");
            }, @base, by, unchanged);
    }

    static Command Check()
    {
        var db = CommonOptions.Db();
        var trace = CommonOptions.Trace();
        var format = CommonOptions.Format();
        var maxLeakedBytes = ByteSize.Option("--max-leaked-bytes", "Fail when more bytes than this are never freed");
        var maxLeakedBlocks = new Option<long?>("--max-leaked-blocks") { Description = "Fail when more blocks than this are never freed" };
        CommonOptions.AtLeast(maxLeakedBlocks, 0);
        var maxPeak = ByteSize.Option("--max-peak-bytes", "Fail when live bytes ever exceed this");
        var maxGrowth = ByteSize.Option("--max-growth-bytes", "Fail when leaked bytes grew by more than this against --base", negative: true);
        var maxSite = ByteSize.Option("--max-site-leaked-bytes", "Fail when one site (file, line, function) holds more never-freed bytes than this; names each such site");
        var maxStack = ByteSize.Option("--max-stack-leaked-bytes", "Fail when one Python call stack holds more never-freed bytes than this (call-stack traces); names each such stack");
        var @base = Base(required: false);
        var drops = new Option<bool>("--fail-on-drops") { Description = "Fail when the trace lost events (missed frees, DTrace drop notices, a log cut short)" };
        var allowIncomplete = new Option<bool>("--allow-incomplete") { Description = "Let a log that is not whole (cut short, damaged) pass; by default it fails the check" };
        var junit = new Option<string>("--junit") { Description = "Also write the result as JUnit XML to this file (one testcase per limit)", HelpName = "FILE" };
        var cmd = new Command("check", "CI gate: exit 0 when every limit holds, 1 when one is broken (named on stdout), 2 on usage or input errors")
            { db, trace, format, maxLeakedBytes, maxLeakedBlocks, maxPeak, maxGrowth, maxSite, maxStack, @base, drops, allowIncomplete, junit };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            var limits = new CheckLimits(pr.GetValue(maxLeakedBytes), pr.GetValue(maxLeakedBlocks), pr.GetValue(maxPeak),
                pr.GetValue(maxGrowth), pr.GetValue(drops))
            {
                MaxSiteLeakedBytes = pr.GetValue(maxSite), MaxStackLeakedBytes = pr.GetValue(maxStack), AllowIncomplete = pr.GetValue(allowIncomplete),
            };
            if (!limits.Any) throw new UsageException("check needs at least one limit (--max-leaked-bytes, --max-leaked-blocks, --max-peak-bytes, --max-site-leaked-bytes, --max-stack-leaked-bytes, --max-growth-bytes with --base, --fail-on-drops)");
            if (limits.MaxGrowthBytes is not null && pr.GetResult(@base) is null) throw new UsageException("--max-growth-bytes needs --base TRACE");
            string? junitPath = pr.GetValue(junit) is { } j ? OutputFile.Checked(j) : null;
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            var t = TraceCatalog.ResolveIdOrName(conn, pr.GetValue(trace));
            long? b = pr.GetResult(@base) is null ? null : TraceCatalog.ResolveIdOrName(conn, pr.GetValue(@base)).Id;
            var table = CheckReport.Evaluate(conn, t.Id, b, limits);
            Renderers.ForFormat(pr.GetValue(format)!)!.Render(table, Console.Out);
            if (junitPath is not null)
            {
                using var file = new StreamWriter(junitPath, false, new System.Text.UTF8Encoding(false));
                JUnitWriter.Write(table, $"trace {t.Id} ({t.Label})", file);
            }
            var broken = CheckReport.Broken(table);
            if (pr.GetValue(format) == "table")
                Terminal.Outcome(broken.Count == 0 ? $"check passed: trace {t.Id} holds every limit" : $"check FAILED: {string.Join(", ", broken)} broken",
                    failed: broken.Count > 0);
            return broken.Count == 0 ? 0 : 1;
        }, pr.GetValue(db)!));
        return cmd;
    }
}
