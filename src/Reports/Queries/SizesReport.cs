using Microsoft.Data.Sqlite;
using static PyMemTrace.Reports.Queries.ReportSql;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// Histogram of every requested size in power-of-two buckets, like DTrace's quantize: the size_totals counted at import
/// (the view size_buckets gives the same from the events).
/// </summary>
public static class SizesReport
{
    public static ReportTable Buckets(SqliteConnection conn, long traceId) => Run(conn, "Allocation sizes",
        """
        SELECT bucket, count, bytes, round(100.0 * count / sum(count) OVER (), 2) AS percent
        FROM size_totals WHERE trace_id = $trace ORDER BY bucket
        """,
        [Int("bucket"), Int("count"), Int("bytes"), Real("percent")],
        new Dictionary<string, object?> { ["$trace"] = traceId });

    internal static ReportColumn Real(string name) => new(name, ColumnType.Real);
}
