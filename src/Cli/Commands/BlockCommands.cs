using System.CommandLine;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using static PyMemTrace.Reports.Queries.FilteredReports;

namespace PyMemTrace.Cli.Commands;

/// <summary>leaks, peak, functions, stacks: what was live when, by site or call stack, under the filters of issue 13.</summary>
internal static class BlockCommands
{
    public static Command Leaks()
    {
        var by = new Option<string>("--by") { Description = "site (default), pointer (each unfreed block), stack (full call stack, the site as leaf) or growth (sites ranked by how steadily their live bytes grow)", DefaultValueFactory = _ => "site" };
        by.AcceptOnlyFromAmong("site", "pointer", "stack", "growth");
        var filters = new FilterOptions();
        var format = StackFormat("table");
        return ReportCommands.Report("leaks", "Blocks never freed (or, with --from/--to, allocated in the window and live at its end), by allocating site, block, call stack or growth",
            format,
            (c, t, top, pr) =>
            {
                var grouping = Enum.Parse<LeakGrouping>(pr.GetValue(by)!, ignoreCase: true);
                if (pr.GetValue(format) == "folded" && grouping != LeakGrouping.Stack) throw new UsageException("--format folded needs --by stack");
                var filter = filters.Read(pr);
                var table = FilteredReports.Leaks(c, t, grouping, filter, top);
                if (filter.Pid is null && BlockReports.Pids(c, t) is var pids and > 1)   // never silently summed
                    Headline(pr.GetValue(format)!, $"{pids} pids in the trace: these leaks add them up (--pid P for one of them)");
                return table;
            },
            Renderer, [by, .. filters.All()]);
    }

    public static Command Peak()
    {
        var by = new Option<string>("--by") { Description = "site (default) or stack (full call stack, the site as leaf)", DefaultValueFactory = _ => "site" };
        by.AcceptOnlyFromAmong("site", "stack");
        var filters = new FilterOptions();
        var format = StackFormat("table");
        return ReportCommands.Report("peak", "What was live at the first moment of the peak (within --from/--to: the window's peak), by site or call stack; the rows add up to the peak",
            format,
            (c, t, top, pr) =>
            {
                bool byStack = pr.GetValue(by) == "stack";
                if (pr.GetValue(format) == "folded" && !byStack) throw new UsageException("--format folded needs --by stack");
                var (peak, table) = FilteredReports.Peak(c, t, byStack, filters.Read(pr), top);
                Headline(pr.GetValue(format)!, PeakHeadline(peak, table, BlockReports.Pids(c, t)));
                return table;
            },
            Renderer, [by, .. filters.All()]);
    }

    public static Command Functions()
    {
        var filters = new FilterOptions();
        return ReportCommands.Report("functions", "Per (file, function): allocations, frees and outstanding bytes",
            (c, t, top, pr) => FilteredReports.Functions(c, t, filters.Read(pr), top), [.. filters.All()]);
    }

    public static Command Stacks()
    {
        var weight = new Option<string>("--weight") { Description = "requested (bytes allocated, default), leaked (bytes never freed) or peak (bytes live at the peak)", DefaultValueFactory = _ => "requested" };
        weight.AcceptOnlyFromAmong("requested", "leaked", "peak");
        var keepOffsets = new Option<bool>("--keep-offsets") { Description = "Keep native frames' +0x offsets apart (default: merge them by function)" };
        var filters = new FilterOptions();
        var format = StackFormat("folded");
        return ReportCommands.Report("stacks", "Bytes by call stack, root frame first: requested (allocations and reallocs), leaked, or live at the peak", format,
            (conn, trace, top, pr) =>
            {
                var stacks = FilteredReports.Stacks(conn, trace, Enum.Parse<StackWeight>(pr.GetValue(weight)!, ignoreCase: true), filters.Read(pr), top, pr.GetValue(keepOffsets));
                if (stacks.Rows.Count == 0)
                    Terminal.Notice("no call stacks in this trace: record it with -D PYTHON_CALL_STACK, or aggregate by ustack()");
                return stacks;
            },
            Renderer, [weight, keepOffsets, .. filters.All()]);
    }

    static Option<string> StackFormat(string @default)
    {
        var format = new Option<string>("--format") { Description = "Output format: table, csv, json, or folded (flame graph; stacks only)", DefaultValueFactory = _ => @default };
        format.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not ("folded" or "table" or "csv" or "json")) r.AddError($"unknown format '{v}' (use table, csv, json or folded)");
        });
        return format;
    }

    static IRenderer Renderer(string format, ParseResult pr) => format == "folded" ? new FoldedStackRenderer() : ReportCommands.Default(format, pr);

    /// <summary>A line for people: on stdout before a table, on stderr with other formats (stdout stays machine-readable).</summary>
    static void Headline(string format, string text)
    {
        if (format == "table") Terminal.Paragraph(text);
        else Terminal.Notice(text);
    }
}
