using Dapper;
using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// report --base: this trace against a base run, per site (the diff report): its totals side by side, and the sites
/// that changed, appeared or vanished, largest growth first; unchanged sites are counted and kept apart.
/// </summary>
public sealed record TraceComparison(TraceCatalog.TraceInfo Base, ComparedTotals Before, ComparedTotals After,
    ReportTable Changed, long ChangedTotal, ReportTable Unchanged, long UnchangedTotal, IReadOnlyDictionary<string, long> ByStatus)
{
    public static TraceComparison Load(SqliteConnection conn, long baseId, long traceId, int maxRows)
    {
        var all = DiffReport.Compare(conn, baseId, traceId, DiffReport.Grouping.Site, null);
        int status = all.IndexOf("status");
        var changed = all.Rows.Where(r => (string)r[status]! != "unchanged").ToList();
        var unchanged = all.Rows.Where(r => (string)r[status]! == "unchanged").ToList();
        var byStatus = all.Rows.GroupBy(r => (string)r[status]!).ToDictionary(g => g.Key, g => (long)g.Count());
        return new TraceComparison(TraceCatalog.Resolve(conn, baseId), ComparedTotals.Of(conn, baseId), ComparedTotals.Of(conn, traceId),
            all with { Title = "Sites that changed", Rows = changed.Take(maxRows).ToList() }, changed.Count,
            all with { Title = "Unchanged sites", Rows = unchanged.Take(maxRows).ToList() }, unchanged.Count, byStatus);
    }
}

/// <summary>A run's headline figures, for a before/after.</summary>
public sealed record ComparedTotals(long Bytes_Outstanding, long Leaked_Blocks, long Peak_Bytes, long Bytes_Allocated)
{
    public static ComparedTotals Of(SqliteConnection conn, long traceId) => conn.QueryFirst<ComparedTotals>(
        "SELECT bytes_outstanding, leaked_blocks, peak_bytes, bytes_allocated FROM trace_summary_stored WHERE trace_id = @traceId", new { traceId });
}
