using PyMemTrace.Reports.Queries;
using PyMemTrace.Store;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests;

/// <summary>
/// SQLite runs in multi-thread mode (no per-call connection mutex), so a statement the code forgets to dispose is
/// finalized by the garbage collector on its own thread while the connection is in use: memory corruption, a crash of
/// the whole process. Imports and reports run on several threads while the collector runs all the time; a leaked
/// statement crashed this within seconds (the undisposed command once in Database.OpenReadOnly).
/// </summary>
public class MultiThreadModeTests
{
    const int MinimumRounds = 4; // per thread, however long they take: the collector must meet many statements

    [Fact]
    public void Reports_survive_the_collector_finalizing_on_its_own_thread()
    {
        using var dir = new TempDir();
        var id = InProcess.Import(dir.Db, Fixtures.Seed("05-15114-debug-pymalloc-177.log")).TraceId;
        var stop = DateTime.UtcNow.AddSeconds(4);
        long reports = 0;
        Exception? failure = null;
        var collector = new Thread(() =>
        {
            while (DateTime.UtcNow < stop)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        var readers = Enumerable.Range(0, 3).Select(n => new Thread(() =>
        {
            try
            {
                for (int round = 0; round < MinimumRounds || DateTime.UtcNow < stop; round++) // enough rounds on a loaded machine too
                {
                    // an import too (writer, side tables, aggregations, call stacks), into a database of this thread's own
                    InProcess.Import(dir.File($"import-{n}.db"),
                        Fixtures.Generated(round % 2 == 0 ? "pyraw-call-stack.log" : "libc-aggregations.log"), force: true);
                    using var conn = Database.OpenReadOnly(dir.Db);
                    var summary = MemoryReports.Summary(conn, id);
                    if (!Equals(summary.Rows[0][summary.IndexOf("bytes_outstanding")], 2538L)) throw new Exception("wrong summary");
                    MemoryReports.LeakSites(conn, id, 10);
                    MemoryReports.Functions(conn, id, 10);
                    SizesReport.Buckets(conn, id);
                    TimelineReport.Total(conn, id, 100);
                    DropReports.Assess(conn, id);
                    AdHocQuery.Run(conn, "SELECT count(*) FROM events");
                    TraceReportData.Load(conn, id); // the HTML report's every table
                    AggregationReports.Tables(conn, id, null);
                    CheckReport.Evaluate(conn, id, null, new CheckLimits(1, null, null, null, true));
                    Interlocked.Increment(ref reports);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        })).ToList();
        collector.Start();
        readers.ForEach(r => r.Start());
        readers.ForEach(r => r.Join());
        collector.Join();
        Assert.Null(failure);
        Assert.True(reports >= 3 * MinimumRounds, $"only {reports} rounds of reports ran");
    }
}
