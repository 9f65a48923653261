using System.CommandLine;
using System.CommandLine.Help;
using PyMemTrace.Cli;
using PyMemTrace.Cli.Commands;

Terminal.UsePlainWriters();
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
CommonOptions.PlainNumberErrors(root);
// `pmanalyze` alone shows what it can do rather than an error.
root.SetAction(_ => root.Parse("--help").Invoke());

// Help wraps at the terminal's width, found without Console.WindowWidth (which would switch the keypad mode: see Terminal).
foreach (var help in root.Options.OfType<HelpOption>())
    if (help.Action is HelpAction action) action.MaxWidth = Terminal.Width() ?? int.MaxValue;

// `pmanalyze help [COMMAND]` is `pmanalyze [COMMAND] --help`, as git and dotnet have it.
if (args is ["help", .. var rest])
{
    if (rest is [var name, ..] && root.Subcommands.All(c => c.Name != name))
    {
        Terminal.Fail($"no command '{name}' (see 'pmanalyze help')");
        return Failure.ExitCode;
    }
    args = [.. rest, "--help"];
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // "Unrecognized command or argument 'x'" says more than the "Required command was not provided" that comes with it.
    var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
    var command = parsed.CommandResult.Command == root ? "pmanalyze" : "pmanalyze " + parsed.CommandResult.Command.Name;
    Terminal.Fail(error.Message + $" (see '{command} --help')");
    return Failure.ExitCode;
}
return parsed.Invoke();
