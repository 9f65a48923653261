using System.CommandLine;
using System.Text;
using PyMemTrace.Plots;
using PyMemTrace.Reports.Queries;
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
        var cmd = new Command("report", "Write one self-contained HTML report (summary, timeline, leaks, functions, sizes, temporary allocations, flame graph)")
            { db, trace, output };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            string path = OutputFile.Checked(pr.GetValue(output)!);
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            var data = TraceReportData.Load(conn, TraceCatalog.ResolveIdOrName(conn, pr.GetValue(trace)).Id);
            string html = HtmlReportWriter.Render(data, ReportFigures.For(data));
            File.WriteAllText(path, html, new UTF8Encoding(false));
            Console.WriteLine($"wrote {path} ({Encoding.UTF8.GetByteCount(html):N0} bytes, trace {data.Trace.Id})");
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }
}
