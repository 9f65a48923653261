using Dapper;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Store;

/// <summary>
/// Issue 10, point 1: sizes are size_t and their sums pass 2^63. Every total is exact where it fits, else saturated at
/// 2^63 − 1 (named in the summary's `saturated`), never negative, never a crash, and every report reads the trace.
/// </summary>
public sealed class HugeNumberTests : IDisposable
{
    const long Max = long.MaxValue;
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Logs() => new(Directory.GetFiles(Fixtures.Path_("numbers"), "*.log").Select(Path.GetFileName).Order()!);

    (long TraceId, Microsoft.Data.Sqlite.SqliteConnection Conn) Import(string name)
    {
        var r = InProcess.Import(_dir.Db, Fixtures.Path_(Path.Combine("numbers", name)));
        return (r.TraceId, InProcess.Read(_dir.Db));
    }

    static IDictionary<string, object> Summary(Microsoft.Data.Sqlite.SqliteConnection conn, long id) =>
        (IDictionary<string, object>)conn.QuerySingle("SELECT * FROM trace_summary_stored WHERE trace_id = @id", new { id });

    /// <summary>The summary report's `saturated` field: the totals at 2^63 - 1 that stand for "this much or more".</summary>
    static string[] Saturated(Microsoft.Data.Sqlite.SqliteConnection conn, long id)
    {
        var summary = MemoryReports.Summary(conn, id);
        return ((IEnumerable<object?>)summary.Rows[0][summary.IndexOf("saturated")]!).Cast<string>().ToArray();
    }

    [Fact]
    public void Two_never_freed_blocks_of_2_63_at_two_sites_import_and_saturate_the_trace_totals()
    {
        var (id, conn) = Import("never-freed-two-sites.log");
        using var _ = conn;
        var s = Summary(conn, id);
        Assert.Equal((Max, 0L, Max, 2L, Max, Max), ((long)s["bytes_allocated"], (long)s["bytes_freed"], (long)s["bytes_outstanding"],
            (long)s["leaked_blocks"], (long)s["peak_bytes"], (long)s["max_alloc"]));
        Assert.Equal(2L, (long)s["peak_line"]); // the first block alone is 2^63 - 1 bytes, "this much or more": the peak
        // each site on its own is exact
        Assert.Equal(new[] { Max, Max }, conn.Query<long>("SELECT bytes FROM leak_sites WHERE trace_id = @id ORDER BY line", new { id }));
        Assert.Equal(["bytes_allocated", "bytes_outstanding", "peak_bytes"], Saturated(conn, id));
        // the table's human figure says "this much or more"; CSV and JSON keep the number
        var table = new StringWriter();
        new PyMemTrace.Reports.Rendering.TextTableRenderer().Render(MemoryReports.Summary(conn, id), table);
        Assert.Contains("≥ 8.00 EiB", table.ToString());
        Assert.Contains("bytes_allocated, bytes_outstanding, peak_bytes", table.ToString());
    }

    [Fact]
    public void Freed_blocks_whose_sizes_add_past_2_63_saturate_instead_of_going_negative()
    {
        var (id, conn) = Import("freed-past-2-63.log");
        using var _ = conn;
        var s = Summary(conn, id);
        Assert.Equal((Max, Max, 0L, Max), ((long)s["bytes_allocated"], (long)s["bytes_freed"], (long)s["bytes_outstanding"], (long)s["peak_bytes"]));
        var functions = conn.Query<(string Function, long Allocated, long Freed)>(
            "SELECT function, bytes_allocated, bytes_freed FROM function_totals_stored WHERE trace_id = @id ORDER BY function", new { id }).ToList();
        Assert.Equal([("grow", Max, Max), ("small", Max, Max)], functions);
        Assert.Equal((2L * 4, Max), conn.QuerySingle<(long, long)>("SELECT sum(count) * 2, max(bytes) FROM size_totals WHERE trace_id = @id", new { id }));
        Assert.Equal(["bytes_allocated", "bytes_freed", "peak_bytes"], Saturated(conn, id));
    }

    [Fact]
    public void One_site_whose_leaked_sizes_add_past_2_63_is_imported_with_its_exact_count()
    {
        var (id, conn) = Import("one-site-leaks-past-2-63.log");
        using var _ = conn;
        Assert.Equal((3L, Max), conn.QuerySingle<(long, long)>("SELECT count, bytes FROM leak_sites WHERE trace_id = @id", new { id }));
        Assert.Equal(Max, (long)Summary(conn, id)["bytes_outstanding"]);
    }

    [Fact]
    public void Realloc_calloc_and_a_missed_free_in_two_pids_keep_exact_totals_where_they_fit()
    {
        var (id, conn) = Import("realloc-calloc-two-pids.log");
        using var _ = conn;
        var s = Summary(conn, id);
        // pid 4243 ends with the calloc of 2^63 - 2^32 bytes live, pid 4242 with 1 byte: exactly 2^63 - 2^32 + 1
        Assert.Equal(Max - uint.MaxValue + 1, (long)s["bytes_outstanding"]);
        Assert.Equal((Max, Max), ((long)s["bytes_allocated"], (long)s["bytes_freed"]));
        var perPid = conn.Query<(long Pid, long Live)>(
            "SELECT pid, live_bytes FROM pid_timeline p WHERE trace_id = @id AND event = (SELECT max(event) FROM pid_timeline q WHERE q.trace_id = p.trace_id AND q.pid = p.pid) ORDER BY pid",
            new { id }).ToList();
        Assert.Equal([(4242L, 1L), (4243L, Max - uint.MaxValue)], perPid);
        var replayed = TimelineReport.PerPid(conn, id, null);
        Assert.Equal(Max - uint.MaxValue, replayed.Rows.Last(r => (long)r[0]! == 4243)[replayed.IndexOf("live_bytes")]);
    }

    [Fact]
    public void Aggregation_totals_drop_counts_and_reconcile_differences_past_2_63_saturate()
    {
        var (id, conn) = Import("aggregations-past-2-63.log");
        using var _ = conn;
        var reconcile = conn.Query<(string Function, long Events, long Aggregation, long Missing)>(
            "SELECT function, event_bytes, aggregation_bytes, missing_bytes FROM malloc_reconcile WHERE trace_id = @id ORDER BY function", new { id }).ToList();
        Assert.Equal([("grow", Max, Max, 0L), ("shrink", Max, -Max, -Max), ("vanished", 0L, Max, Max)], reconcile);
        var loss = DropReports.Assess(conn, id);
        Assert.Equal((3, 2, 0L), (loss.ReconciledTotals, loss.DisagreeingTotals, loss.MissingBytes)); // -Max + Max
        Assert.Equal(Max, conn.QuerySingle<long>("SELECT number FROM notice_counts WHERE trace_id = @id AND kind = 'buffer_drops'", new { id }));
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public void Every_report_and_every_view_reads_the_trace_and_no_total_is_negative(string log)
    {
        var (id, conn) = Import(log);
        using var _ = conn;
        var tables = EveryReport.Read(conn, id);
        Assert.NotEmpty(EveryReport.Rendered(tables).ToList());
        foreach (var sql in new[]
                 {
                     "SELECT * FROM trace_summary_stored", "SELECT * FROM trace_summary", "SELECT * FROM function_totals_stored",
                     "SELECT * FROM function_totals", "SELECT * FROM site_totals", "SELECT * FROM size_totals", "SELECT * FROM leak_sites",
                     "SELECT * FROM events",
                 })
            foreach (IDictionary<string, object> row in conn.Query(sql))
                foreach (var (column, value) in row)
                    if (value is long n && column is not ("ptr" or "old_ptr")) Assert.True(n >= 0, $"{sql}: {column} = {n}");
    }
}
