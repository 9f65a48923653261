using System.CommandLine;
using PyMemTrace.Plots;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>plot timeline|sizes|functions|leaks --out FILE.png|.svg: one figure, drawn headless.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("figure") { Description = "timeline, sizes, functions or leaks" };
        kind.AcceptOnlyFromAmong("timeline", "sizes", "functions", "leaks");
        var db = CommonOptions.Db();
        var trace = CommonOptions.Trace();
        var output = new Option<string>("--out", "-o") { Description = "The figure file: FILE.png or FILE.svg", Required = true };
        var width = new Option<int>("--width") { Description = "Width in pixels", DefaultValueFactory = _ => ChartRenderer.DefaultWidth };
        var height = new Option<int>("--height") { Description = "Height in pixels", DefaultValueFactory = _ => ChartRenderer.DefaultHeight };
        var points = AnalysisCommands.Points();
        var (by, top, filters) = AnalysisCommands.BySiteOptions();
        var x = new Option<string>("--x") { Description = "The timeline's x axis: time (seconds since the first time stamp; the default when the log has them) or event (event numbers)" };
        x.AcceptOnlyFromAmong("time", "event");
        var cmd = new Command("plot", "Draw a figure (PNG or SVG): live memory timeline (--by site: the biggest sites stacked), size histogram, top functions or top leak sites")
            { kind, db, trace, output, width, height, points, by, top, x };
        foreach (var o in filters.All()) cmd.Options.Add(o);
        cmd.SetAction(pr => Failure.Run(() =>
        {
            string path = OutputFile.Checked(pr.GetValue(output)!);
            string ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext is not (".png" or ".svg")) throw new UsageException($"'{path}': the figure's file name must end in .png or .svg");
            int w = pr.GetValue(width), h = pr.GetValue(height);
            if (w is < 100 or > 10000 || h is < 100 or > 10000) throw new UsageException("--width and --height must be between 100 and 10000 pixels");
            if (pr.GetValue(points) is < TimelineReport.MinPoints) throw new UsageException($"--points must be at least {TimelineReport.MinPoints}");
            var chart = Enum.Parse<ChartKind>(pr.GetValue(kind)!, ignoreCase: true);
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            var t = TraceCatalog.ResolveIdOrName(conn, pr.GetValue(trace));
            bool bySite = chart == ChartKind.Timeline && pr.GetValue(by) == "site";
            var data = bySite
                ? SiteSeries.Timeline(conn, filters.Read(pr).Resolve(conn, t.Id), pr.GetValue(top) ?? SiteSeries.DefaultSites, pr.GetValue(points))
                : ChartData.For(chart, conn, t.Id, pr.GetValue(points));
            if (chart == ChartKind.Timeline && pr.GetValue(x) is { } axis)
                data = ChartData.WithXAxis(data, axis) ?? throw new UsageException($"--x time: {TraceClock.Untimed}: use --x event");
            ChartRenderer.Save(bySite ? ChartKind.SiteTimeline : chart, data, t.Label, path, w, h, bySite ? null : ChartData.TotalRows(chart, conn, t.Id));
            Console.WriteLine($"wrote {Reports.Rendering.TerminalText.Visible(path)} ({w}×{h}, trace {t.Id})");
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }
}
