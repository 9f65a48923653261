using System.CommandLine;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;

namespace PyMemTrace.Cli.Commands;

/// <summary>aggregations, reconcile, stacks: DTrace's own output (aggregations, drops, stacks) read back from the store.</summary>
internal static class DTraceOutputCommands
{
    public static IEnumerable<Command> All()
    {
        yield return Aggregations();
        yield return Reconcile();
        yield return BlockCommands.Stacks();
    }

    /// <summary>table: as DTrace prints them; json: one object per table, buckets nested; csv: one row per bucket.</summary>
    static Command Aggregations()
    {
        var section = new Option<string?>("--section") { Description = "Only tables whose section title contains TEXT (case-insensitive)" };
        return ReportCommands.Whole("aggregations",
            "Every DTrace aggregation of the trace (quantize, lquantize, llquantize, scalar), as DTrace prints them",
            CommonOptions.Format(),
            (conn, trace, pr) =>
            {
                var tables = pr.GetValue<string>("--format") == "csv"
                    ? AggregationReports.Buckets(conn, trace, pr.GetValue(section))
                    : AggregationReports.Tables(conn, trace, pr.GetValue(section));
                if (tables.Rows.Count == 0)
                    Terminal.Notice(pr.GetValue(section) is { } text
                        ? $"no aggregation of this trace is in a section whose title contains '{text}' (pmanalyze aggregations lists them all)"
                        : "no DTrace aggregations in this trace: the log has no printa() or END-time aggregation output");
                return tables;
            },
            (format, pr) => format == "table" ? new DTraceAggregationRenderer() : ReportCommands.Default(format, pr),
            section);
    }

    /// <summary>The rows, and a plain verdict: on stdout before a table, on stderr with csv and json (stdout stays machine-readable).</summary>
    static Command Reconcile() =>
        ReportCommands.Whole("reconcile",
            "Compare the scripts' per-(file, function) malloc totals with the malloc events: did DTrace drop records?",
            CommonOptions.Format(),
            (conn, trace, pr) =>
            {
                var verdict = DropReports.Verdict(DropReports.Assess(conn, trace));
                if (pr.GetValue<string>("--format") == "table")
                {
                    foreach (var line in TerminalText.Wrap(verdict, Terminal.Width())) Console.WriteLine(line);
                    Console.WriteLine();
                }
                else Console.Error.WriteLine(verdict);
                return DropReports.Reconcile(conn, trace);
            },
            ReportCommands.Default);
}
