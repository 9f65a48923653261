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

    /// <summary>How many rows the whole ranking has (sites that leaked, functions), for "first 20 of 502"; null for a figure that is no ranking.</summary>
    public static long? TotalRows(ChartKind kind, SqliteConnection conn, long traceId) => kind switch
    {
        ChartKind.Functions => Count(conn, "SELECT count(*) FROM function_totals_stored WHERE trace_id = $trace", traceId),
        ChartKind.Leaks => Count(conn, "SELECT count(*) FROM leak_sites WHERE trace_id = $trace", traceId),
        _ => null,
    };

    /// <summary>--x event leaves the seconds out; --x time wants them (a trace without time stamps has none: null).</summary>
    public static ReportTable? WithXAxis(ReportTable timeline, string x)
    {
        int seconds = timeline.IndexOf("seconds");
        if (x == "time") return seconds < 0 ? null : timeline;
        if (x != "event" || seconds < 0) return timeline;
        return timeline with
        {
            Columns = timeline.Columns.Where((_, i) => i != seconds).ToList(),
            Rows = timeline.Rows.Select(r => r.Where((_, i) => i != seconds).ToArray()).ToList(),
        };
    }

    static long Count(SqliteConnection conn, string sql, long traceId)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$trace", traceId);
        return Convert.ToInt64(cmd.ExecuteScalar());
    }
}
