using System.CommandLine;
using System.Text;
using PyMemTrace.Plots;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Reports.Rendering.Html;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>report --out report.html: the one self-contained HTML file to attach to a bug ticket.</summary>
internal static class HtmlReportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var trace = CommonOptions.Trace();
        var output = new Option<string>("--out", "-o") { Description = "The HTML file to write", Required = true };
        var @base = AnalysisCommands.Base(required: false);
        @base.Description = "Compare with this run (trace id or name): sites that grew, new and vanished";
        var fullPath = new Option<bool>("--full-path") { Description = "Show the log's full path (by default only its file name, as the report may be shared)" };
        var cmd = new Command("report", "Write one self-contained HTML report: the verdict first, then leaks, flame graph, timeline, functions, sizes, warnings, provenance")
            { db, trace, output, @base, fullPath };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            string path = OutputFile.Checked(pr.GetValue(output)!);
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            long traceId = TraceCatalog.ResolveIdOrName(conn, pr.GetValue(trace)).Id;
            long? baseId = pr.GetValue(@base) is { } b ? TraceCatalog.ResolveIdOrName(conn, b).Id : null;
            var data = TraceReportData.Load(conn, traceId, baseId);
            string html = HtmlReportWriter.Render(data, ReportFigures.For(data), new HtmlReportOptions(pr.GetValue(fullPath)));
            WholeFile.Write(path, file => file.Write(new UTF8Encoding(false).GetBytes(html)));
            Console.WriteLine($"wrote {TerminalText.Visible(path)} ({Encoding.UTF8.GetByteCount(html):N0} bytes, trace {data.Trace.Id}{(baseId is { } id ? $" against trace {id}" : "")})");
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }
}
