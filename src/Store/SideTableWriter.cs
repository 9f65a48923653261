using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// Stores what DTrace prints beside the memory events: notice kinds, the extra columns of toolkit flow lines,
/// PS: resident-size samples and the raw text of lines that held escape sequences. Part of TraceWriter's transaction.
/// </summary>
internal sealed class SideTableWriter(SqliteConnection conn, SqliteTransaction tx, long traceId) : IDisposable
{
    readonly PreparedInsert _notice = new(conn, tx, "notices", "trace_id", "line", "kind", "number");
    readonly PreparedInsert _flowInfo = new(conn, tx, "flow_info", "trace_id", "line", "cpu", "delta_us", "probe");
    readonly PreparedInsert _rss = new(conn, tx, "rss_samples", "trace_id", "line", "pid", "kilobytes");
    readonly PreparedInsert _raw = new(conn, tx, "raw_lines", "trace_id", "line", "text");

    public void Notice(long line, Notice notice) => _notice.Run(traceId, line, notice.Kind, notice.Number);

    public void FlowInfo(long line, FlowLine flow)
    {
        if (flow.Cpu is { } cpu) _flowInfo.Run(traceId, line, cpu, flow.DeltaUs ?? 0, flow.Probe ?? "");
    }

    public void Rss(long line, int? pid, long kilobytes) => _rss.Run(traceId, line, pid, kilobytes);

    public void Raw(long line, string text) => _raw.Run(traceId, line, text);

    public void Dispose()
    {
        _notice.Dispose();
        _flowInfo.Dispose();
        _rss.Dispose();
        _raw.Dispose();
    }
}
