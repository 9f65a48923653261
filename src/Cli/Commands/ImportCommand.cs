using System.CommandLine;
using System.Globalization;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>import LOG: parse a DTrace log into the store, then show its summary and top leak sites.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var log = new Argument<string>("log") { Description = "The DTrace log: a path, a .gz file, or - for standard input" };
        var db = CommonOptions.Db();
        var force = new Option<bool>("--force") { Description = "Import again even if this content is already in the database" };
        var top = new Option<int>("--top") { Description = "Leak sites to show after the import", DefaultValueFactory = _ => 10 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the import line" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print where the time went (read, parse, store, index)" };
        var name = new Option<string>("--name") { Description = "Name this run (e.g. base, pr-123): reports then take --trace NAME" };
        name.Validators.Add(r =>
        {
            if (RunNames.Problem(r.GetValueOrDefault<string>() ?? "") is { } problem) r.AddError("--name: " + problem);
        });
        var bytes = CommonOptions.Bytes();
        var cmd = new Command("import", "Parse a DTrace memory trace into the database") { log, db, force, top, quiet, verbose, bytes, name };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            string dbPath = pr.GetValue(db)!;
            ImportResult result;
            using (var signals = new InterruptSignals())
            {
                try
                {
                    using var bar = ProgressLine.OnTerminal();
                    result = TraceImporter.Import(dbPath, pr.GetValue(log)!, pr.GetValue(force), bar, signals.Token, pr.GetValue(name));
                }
                catch (ImportInterruptedException e)
                {
                    Console.Error.WriteLine("pmanalyze: " + e.Message);
                    return signals.ExitCode;
                }
            }
            if (result.Duplicate)
            {
                Console.WriteLine($"already imported as trace {result.TraceId} ({result.Lines} lines, {result.Events} events): nothing added; use --force to import it again");
                if (result.InputProblem is { } known) Terminal.Warn($"trace {result.TraceId} is not whole: {known}");
            }
            else
            {
                Console.WriteLine(Describe(result, pr.GetValue(log)!, dbPath, pr.GetValue(name)));
                if (result.InputProblem is { } problem) Terminal.Warn(problem);
                if (pr.GetValue(verbose) && result.Timings is { } t) Console.WriteLine(ProgressLine.DescribeTimings(result, t));
                if (result.Events == 0) Console.WriteLine(NoEvents(result));
            }
            if (pr.GetValue(quiet)) return 0;
            using var conn = Database.OpenReadOnly(dbPath);
            var render = new TextTableRenderer(Terminal.Style(pr.GetValue(bytes)));
            Console.WriteLine();
            render.Render(MemoryReports.Summary(conn, result.TraceId), Console.Out);
            var loss = DropReports.Assess(conn, result.TraceId);
            if (loss.DroppedRecordsSuspected)
            {
                Console.WriteLine();
                Terminal.Warn(DropReports.Verdict(loss) + " (pmanalyze reconcile)");
            }
            if (result.Events > 0)
            {
                Console.WriteLine();
                Console.WriteLine($"Top leak sites (pmanalyze leaks --trace {result.TraceId}):");
                render.Render(MemoryReports.LeakSites(conn, result.TraceId, pr.GetValue(top)), Console.Out);
            }
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }

    /// <summary>Says what a log without memory events held instead, so the user knows where to look.</summary>
    static string NoEvents(ImportResult r) => r.Aggregations > 0 || r.FlowLines > 0
        ? $"no memory events; stored {r.Aggregations} aggregation tables and {r.FlowLines} flow lines (see 'pmanalyze aggregations' and 'pmanalyze stacks')"
        : "no memory events found: is this the output of a toolkit/ D script, with its dtrace:::BEGIN line?";

    /// <summary>The import line; the file names are the user's and may hold anything, so their control characters are made visible.</summary>
    static string Describe(ImportResult r, string source, string dbPath, string? name) => string.Create(CultureInfo.InvariantCulture,
        $"imported {TerminalText.Visible(source)} as trace {r.TraceId}{(name is null ? "" : $" ('{TerminalText.Visible(name)}')")} into {TerminalText.Visible(dbPath)}: {r.Lines} lines, {r.Events} events, {r.FlowLines} flow lines, " +
        $"{r.Notes} notes, {r.Unparsed} unparsed, {r.Aggregations} aggregation tables in {r.Elapsed.TotalSeconds:0.00} s");
}
