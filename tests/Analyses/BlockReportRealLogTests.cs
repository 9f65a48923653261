using PyMemTrace.Reports;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Tests.Support;
using static PyMemTrace.Reports.Queries.FilteredReports;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// The block reports (issue 13) on real DTrace output: the seed's example logs (no call stacks: every block sits under
/// "[no stack]") and the DTraceToolkit's ustack()-keyed aggregations (native frames with +0x offsets).
/// </summary>
public sealed class BlockReportRealLogTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> SeedLogs() => new(Fixtures.SeedLogs());

    static long Sum(ReportTable t, string column = "bytes") => t.Rows.Sum(r => (long)r[t.IndexOf(column)]!);

    [Theory, MemberData(nameof(SeedLogs))]
    public void Leaks_by_stack_and_the_peaks_rows_add_up_to_the_summary(string log)
    {
        var r = InProcess.Import(_dir.Db, Fixtures.Seed(log));
        using var conn = InProcess.Read(_dir.Db);
        var summary = InProcess.Json(MemoryReports.Summary(conn, r.TraceId));
        var byStack = FilteredReports.Leaks(conn, r.TraceId, LeakGrouping.Stack, EventFilter.None, null);
        Assert.Equal(summary["bytes_outstanding"]!.GetValue<long>(), Sum(byStack));
        Assert.Equal(summary["leaked_blocks"]!.GetValue<long>(), Sum(byStack, "blocks"));
        Assert.All(byStack.Rows, row => Assert.StartsWith(StackReports.NoStack + ";", (string)row[0]!));
        // the sites seen through the stacks are the leak report's sites
        var sites = MemoryReports.LeakSites(conn, r.TraceId, null).Rows.Select(x => $"{x[0]}:{x[2]}:{x[1]} {x[4]} {x[3]}").Order(StringComparer.Ordinal);
        Assert.Equal(sites, byStack.Rows.Select(x => $"{((string)x[0]!)[(StackReports.NoStack.Length + 1)..]} {x[3]} {x[2]}").Order(StringComparer.Ordinal));
        var (peak, table) = FilteredReports.Peak(conn, r.TraceId, false, EventFilter.None, null);
        if (peak is null) Assert.Equal(0, summary["peak_bytes"]!.GetValue<long>());
        else
        {
            Assert.Equal(summary["peak_bytes"]!.GetValue<long>(), Sum(table));
            Assert.Equal(summary["peak_blocks"]!.GetValue<long>(), Sum(table, "blocks"));
            Assert.Equal(summary["peak_event"]!.GetValue<long>(), peak.Event);
        }
        var pids = TimelineReport.Pids(conn, r.TraceId);
        Assert.Equal(pids.Count, summary["pids"]!.GetValue<long>());
        Assert.Equal(summary["bytes_outstanding"]!.GetValue<long>(),
            pids.Sum(p => Sum(FilteredReports.Leaks(conn, r.TraceId, LeakGrouping.Site, new EventFilter(Pid: p), null))));
    }

    [Fact]
    public void Native_frames_merge_by_function_unless_offsets_are_kept()
    {
        var r = InProcess.Import(_dir.Db, Fixtures.Path_("corpus/toolkit-py_mallocstk.txt"));
        using var conn = InProcess.Read(_dir.Db);
        var kept = StackReports.Stacks(conn, r.TraceId, null, keepOffsets: true);
        var merged = StackReports.Stacks(conn, r.TraceId, null);
        Assert.Contains(kept.Rows, x => ((string)x[0]!).Contains("`r_object+0x52f", StringComparison.Ordinal));
        Assert.DoesNotContain(merged.Rows, x => ((string)x[0]!).Contains("+0x", StringComparison.Ordinal));
        Assert.Contains(merged.Rows, x => ((string)x[0]!).Contains("`r_object;", StringComparison.Ordinal));
        Assert.True(merged.Rows.Count <= kept.Rows.Count, $"{merged.Rows.Count} merged stacks, {kept.Rows.Count} with offsets");
        Assert.Equal(Sum(kept), Sum(merged));
        Assert.Equal(merged.Rows.Select(x => (string)x[0]!).Distinct().Count(), merged.Rows.Count);
    }
}
