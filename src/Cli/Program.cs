using System.CommandLine;
using PyMemTrace.Cli;
using PyMemTrace.Cli.Commands;

var root = new RootCommand("pmanalyze: analyze DTrace memory traces of Python programs (leaks, reallocs, per-function totals)");
root.Subcommands.Add(RecordCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
foreach (var c in ReportCommands.All()) root.Subcommands.Add(c);
root.Subcommands.Add(QueryCommand.Create());
foreach (var c in DTraceOutputCommands.All()) root.Subcommands.Add(c);
root.Subcommands.Add(ExportCommand.Create());
foreach (var c in AnalysisCommands.All()) root.Subcommands.Add(c);
root.Subcommands.Add(PlotCommand.Create());
root.Subcommands.Add(HtmlReportCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // "Unrecognized command or argument 'x'" says more than the "Required command was not provided" that comes with it.
    var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
    Console.Error.WriteLine("pmanalyze: " + error.Message + " (see 'pmanalyze --help')");
    return Failure.ExitCode;
}
return parsed.Invoke();
