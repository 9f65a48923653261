using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// The sink that stores one trace: events with their accounting outcome, flow lines, notes, unparsed lines and
/// aggregation tables, all inside the caller's transaction. Inserts go through prepared statements reused for every row.
/// </summary>
public sealed class TraceWriter : ITraceSink, IDisposable
{
    readonly SqliteConnection _conn;
    readonly SqliteTransaction _tx;
    readonly long _traceId;
    readonly HeapLedger _ledger = new();
    readonly SiteCatalog _sites;
    readonly StackCatalog _stacks;
    readonly PreparedInsert _event, _note, _unparsed, _flow;
    readonly SideTableWriter _side;
    long _nextEventId, _seq;

    // Keys are stored as readable JSON: a backtick or '<' stays as it is.
    static readonly JsonSerializerOptions KeyJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public long Events => _seq;
    public long FlowLines { get; private set; }
    public long Notes { get; private set; }
    public long Unparsed { get; private set; }
    public long Aggregations { get; private set; }

    public TraceWriter(SqliteConnection conn, SqliteTransaction tx, long traceId)
    {
        _conn = conn;
        _tx = tx;
        _traceId = traceId;
        _sites = new SiteCatalog(conn, tx);
        _stacks = new StackCatalog(conn, tx);
        _nextEventId = conn.ExecuteScalar<long>("SELECT coalesce(max(id), 0) + 1 FROM events", transaction: tx);
        _event = new PreparedInsert(conn, tx, "events",
            "id", "trace_id", "seq", "line", "pid", "kind", "api", "site_id", "size", "nmemb", "elsize", "ptr", "old_ptr",
            "status", "freed_bytes", "replaced", "live_bytes", "live_blocks", "chain_id", "leaked", "stack_id");
        _note = new PreparedInsert(conn, tx, "notes", "trace_id", "line", "kind", "text");
        _unparsed = new PreparedInsert(conn, tx, "unparsed", "trace_id", "line", "text");
        _flow = new PreparedInsert(conn, tx, "flow", "trace_id", "line", "pid", "type", "file", "file_line", "function");
        _side = new SideTableWriter(conn, tx, traceId);
    }

    public void OnEvent(long lineNumber, EventLine ev)
    {
        long id = _nextEventId++;
        var call = ev.Call;
        var outcome = _ledger.Apply(id, ev.Pid, call);
        bool isFree = call.Kind == CallKind.Free;
        _event.Run(id, _traceId, ++_seq, lineNumber, ev.Pid, KindName(call.Kind), call.Api,
            _sites.IdOf(ev.File, ev.Line, ev.Function),
            isFree ? null : call.Size,
            call.Kind == CallKind.Calloc ? call.Count : null,
            call.Kind == CallKind.Calloc ? call.ElementSize : null,
            call.Pointer,
            call.Kind == CallKind.Realloc ? call.OldPointer : null,
            outcome.Status, outcome.FreedBytes, outcome.Replaced ? 1 : 0,
            _ledger.LiveBytes, _ledger.LiveBlocks, outcome.ChainId, 0, _stacks.Current(ev.Pid));
    }

    public void OnFlow(long lineNumber, FlowLine flow)
    {
        FlowLines++;
        if (flow.IsPythonFrame && flow.IsCall) _stacks.Call(flow.Pid, flow.File, flow.Function);
        else if (flow.IsPythonFrame) _stacks.Return(flow.Pid, flow.Function);
        _side.FlowInfo(lineNumber, flow);
        _flow.Run(_traceId, lineNumber, flow.Pid, flow.IsCall ? "CALL" : "RTN", flow.File, flow.Line, flow.Function);
    }

    public void OnNote(long lineNumber, string kind, string text)
    {
        // A flow header counts with the flow lines, so that lines = events + flow lines + notes + unparsed.
        if (kind == NoteKind.Flow) FlowLines++;
        else Notes++;
        _note.Run(_traceId, lineNumber, kind, text);
    }

    public void OnNotice(long lineNumber, Notice notice, string text)
    {
        OnNote(lineNumber, NoteKind.Notice, text);
        _side.Notice(lineNumber, notice);
    }

    public void OnRss(long lineNumber, int? pid, long kilobytes, string text)
    {
        OnNote(lineNumber, NoteKind.Rss, text);
        _side.Rss(lineNumber, pid, kilobytes);
    }

    public void OnRawText(long lineNumber, string raw) => _side.Raw(lineNumber, raw);

    public void OnUnparsed(long lineNumber, string text)
    {
        Unparsed++;
        _unparsed.Run(_traceId, lineNumber, text);
    }

    public void OnAggregation(AggregationTable table)
    {
        Aggregations++;
        long tableId = _conn.ExecuteScalar<long>(
            "INSERT INTO agg_tables(trace_id, line, section, key, kind, total, key_text) VALUES (@trace, @line, @section, @key, @kind, @total, @keyText) RETURNING id",
            new { trace = _traceId, line = table.Line, section = table.Section, key = JsonSerializer.Serialize(table.Key, KeyJson), kind = table.Kind, total = table.Total, keyText = table.KeyText },
            _tx);
        for (int i = 0; i < table.Buckets.Count; i++)
        {
            var b = table.Buckets[i];
            _conn.Execute("INSERT INTO agg_buckets(table_id, ord, value, count, bound) VALUES (@tableId, @i, @Value, @Count, @Bound)",
                new { tableId, i, b.Value, b.Count, b.Bound }, _tx);
        }
    }

    /// <summary>Marks the events whose blocks are still live: the leaks. Call once, after the last line.</summary>
    public void MarkLeaks()
    {
        using var mark = new PreparedUpdate(_conn, _tx, "UPDATE events SET leaked = 1 WHERE id = $id");
        foreach (var id in _ledger.LiveEventIds()) mark.Run(id);
    }

    static string KindName(CallKind kind) => kind switch
    {
        CallKind.Malloc => "malloc",
        CallKind.Calloc => "calloc",
        CallKind.Realloc => "realloc",
        _ => "free",
    };

    public void Dispose()
    {
        _event.Dispose();
        _note.Dispose();
        _unparsed.Dispose();
        _flow.Dispose();
        _side.Dispose();
    }
}
