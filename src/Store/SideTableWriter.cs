using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// Stores what DTrace prints beside the memory events: notice kinds, the extra columns of toolkit flow lines,
/// PS: resident-size samples and the raw text of lines that held escape sequences. Part of TraceWriter's transaction.
/// </summary>
internal sealed class SideTableWriter : IDisposable
{
    readonly long _traceId;
    readonly PreparedGroup _statements;
    readonly PreparedStatement _notice, _flowInfo, _rss, _raw;

    public SideTableWriter(SqliteConnection conn, long traceId)
    {
        _traceId = traceId;
        _statements = new PreparedGroup(conn);
        try
        {
            _notice = _statements.Add(PreparedInsert.Into(conn, "notices", "trace_id", "line", "kind", "number"));
            _flowInfo = _statements.Add(PreparedInsert.Into(conn, "flow_info", "trace_id", "line", "cpu", "delta_us", "probe"));
            _rss = _statements.Add(PreparedInsert.Into(conn, "rss_samples", "trace_id", "line", "pid", "kilobytes"));
            _raw = _statements.Add(PreparedInsert.Into(conn, "raw_lines", "trace_id", "line", "text"));
        }
        catch
        {
            _statements.Dispose();
            throw;
        }
    }

    public void Notice(long line, Notice notice) =>
        _notice.Bind(1, _traceId).Bind(2, line).Bind(3, notice.Kind).Bind(4, notice.Number).Run();

    public void FlowInfo(long line, FlowLine flow)
    {
        if (flow.Cpu is { } cpu)
            _flowInfo.Bind(1, _traceId).Bind(2, line).Bind(3, cpu).Bind(4, flow.DeltaUs ?? 0).Bind(5, flow.Probe ?? "").Run();
    }

    public void Rss(long line, int? pid, long kilobytes) => _rss.Bind(1, _traceId).Bind(2, line).Bind(3, pid).Bind(4, kilobytes).Run();

    public void Raw(long line, string text) => _raw.Bind(1, _traceId).Bind(2, line).Bind(3, text).Run();

    public void Dispose() => _statements.Dispose();
}
