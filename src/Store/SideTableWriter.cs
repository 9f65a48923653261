using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// Stores what DTrace prints beside the memory events: notice kinds, the extra columns of toolkit flow lines,
/// PS: resident-size samples and the raw text of lines that held escape sequences. Part of TraceWriter's transaction.
/// </summary>
internal sealed class SideTableWriter(SqliteConnection conn, long traceId) : IDisposable
{
    readonly PreparedStatement _notice = PreparedInsert.Into(conn, "notices", "trace_id", "line", "kind", "number");
    readonly PreparedStatement _flowInfo = PreparedInsert.Into(conn, "flow_info", "trace_id", "line", "cpu", "delta_us", "probe");
    readonly PreparedStatement _rss = PreparedInsert.Into(conn, "rss_samples", "trace_id", "line", "pid", "kilobytes");
    readonly PreparedStatement _raw = PreparedInsert.Into(conn, "raw_lines", "trace_id", "line", "text");

    public void Notice(long line, Notice notice) =>
        _notice.Bind(1, traceId).Bind(2, line).Bind(3, notice.Kind).Bind(4, notice.Number).Run();

    public void FlowInfo(long line, FlowLine flow)
    {
        if (flow.Cpu is { } cpu)
            _flowInfo.Bind(1, traceId).Bind(2, line).Bind(3, cpu).Bind(4, flow.DeltaUs ?? 0).Bind(5, flow.Probe ?? "").Run();
    }

    public void Rss(long line, int? pid, long kilobytes) => _rss.Bind(1, traceId).Bind(2, line).Bind(3, pid).Bind(4, kilobytes).Run();

    public void Raw(long line, string text) => _raw.Bind(1, traceId).Bind(2, line).Bind(3, text).Run();

    public void Dispose()
    {
        _notice.Dispose();
        _flowInfo.Dispose();
        _rss.Dispose();
        _raw.Dispose();
    }
}
