using System.CommandLine;
using Microsoft.Data.Sqlite;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>summary, leaks, functions, reallocs, traces: read the store, render one table.</summary>
internal static class ReportCommands
{
    public static IEnumerable<Command> All()
    {
        yield return Whole("summary", "Totals of the trace: allocations, frees, leaks, peak", (c, t, _) =>
            SeveralPids(MemoryReports.Summary(c, t), c, t, "these totals add up {0} pids (leaks, peak and timeline take --pid P; the HTML report shows each)"));
        yield return BlockCommands.Leaks();
        yield return BlockCommands.Peak();
        yield return BlockCommands.Functions();
        yield return Report("reallocs", "Realloc chains: blocks followed through successive reallocs", (c, t, top, _) => MemoryReports.Reallocs(c, t, top));
        yield return Traces();
    }

    /// <summary>A trace of several processes is never silently summed: a line under the table says how many (table format).</summary>
    internal static ReportTable SeveralPids(ReportTable table, SqliteConnection conn, long traceId, string note) =>
        BlockReports.Pids(conn, traceId) is var pids and > 1 ? table with { Note = string.Format(System.Globalization.CultureInfo.InvariantCulture, note, pids) } : table;

    static Command Traces()
    {
        var db = CommonOptions.Db();
        var format = CommonOptions.Format();
        var cmd = new Command("traces", "List the traces in the database") { db, format };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            Renderers.ForFormat(pr.GetValue(format)!, Terminal.Style())!.Render(TraceCatalog.List(conn), Console.Out);
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }

    /// <summary>A ranked report: its rows come largest first, and --top N keeps the first N.</summary>
    internal static Command Report(string name, string description, Func<SqliteConnection, long, int?, ParseResult, ReportTable> query, params Option[] extra) =>
        Report(name, description, CommonOptions.Format(), query, Default, extra);

    /// <summary>A ranked report whose format option and renderer choice are the caller's.</summary>
    internal static Command Report(string name, string description, Option<string> format,
        Func<SqliteConnection, long, int?, ParseResult, ReportTable> query, Func<string, ParseResult, IRenderer> renderer, params Option[] extra) =>
        Build(name, description, format, CommonOptions.Top(), query, renderer, extra);

    /// <summary>A report shown whole (a summary, a histogram, a downsampled timeline): no --top.</summary>
    internal static Command Whole(string name, string description, Func<SqliteConnection, long, ParseResult, ReportTable> query, params Option[] extra) =>
        Whole(name, description, CommonOptions.Format(), query, Default, extra);

    /// <summary>The renderer of --format, tables laid out for the terminal (and --bytes).</summary>
    internal static IRenderer Default(string format, ParseResult pr) => Renderers.ForFormat(format, Terminal.Style(pr.GetValue<bool>("--bytes")))!;

    /// <summary>A report shown whole whose format option and renderer choice are the caller's.</summary>
    internal static Command Whole(string name, string description, Option<string> format,
        Func<SqliteConnection, long, ParseResult, ReportTable> query, Func<string, ParseResult, IRenderer> renderer, params Option[] extra) =>
        Build(name, description, format, null, (c, t, _, pr) => query(c, t, pr), renderer, extra);

    static Command Build(string name, string description, Option<string> format, Option<int?>? top,
        Func<SqliteConnection, long, int?, ParseResult, ReportTable> query, Func<string, ParseResult, IRenderer> renderer, Option[] extra)
    {
        var db = CommonOptions.Db();
        var trace = CommonOptions.Trace();
        var cmd = new Command(name, description) { db, trace, format, CommonOptions.Bytes() };
        if (top is not null) cmd.Options.Add(top);
        foreach (var o in extra) cmd.Options.Add(o);
        cmd.SetAction(pr => Failure.Run(() =>
        {
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            var t = TraceCatalog.ResolveIdOrName(conn, pr.GetValue(trace));
            var table = query(conn, t.Id, top is null ? null : pr.GetValue(top), pr);
            renderer(pr.GetValue(format)!, pr).Render(table, Console.Out);
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }
}
