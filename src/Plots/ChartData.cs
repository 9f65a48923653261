using Microsoft.Data.Sqlite;
using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Plots;

/// <summary>The report table each figure is drawn from.</summary>
public static class ChartData
{
    public const int TimelinePoints = 2000;

    public static ReportTable For(ChartKind kind, SqliteConnection conn, long traceId, int? points = null) => kind switch
    {
        ChartKind.Timeline => TimelineReport.Total(conn, traceId, points ?? TimelinePoints),
        ChartKind.Sizes => SizesReport.Buckets(conn, traceId),
        ChartKind.Functions => MemoryReports.Functions(conn, traceId, RankingChart.MaxBars),
        _ => MemoryReports.LeakSites(conn, traceId, RankingChart.MaxBars),
    };
}
