using Microsoft.Data.Sqlite;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// The sink that stores one trace: events with their accounting outcome, flow lines, notes, unparsed lines and
/// aggregation tables, all inside the caller's transaction. Used directly it is a plain ITraceSink; the import pipeline
/// instead runs the <see cref="EventAccounting"/> on the reader thread and hands the finished rows to the Store methods.
/// The event insert is prepared once and bound through <see cref="SqliteNative"/>.
/// </summary>
public sealed class TraceWriter : ITraceSink, IDisposable
{
    readonly SqliteConnection _conn;
    readonly SqliteTransaction _tx;
    readonly long _traceId;
    readonly SiteCatalog _sites;
    readonly List<long> _siteIds = new();
    /// <summary>Events inserted by one statement: per-statement costs (cursors, reset) are paid once per group.</summary>
    internal const int EventsPerInsert = 32;
    // No id: SQLite gives each row max(id) + 1, which is the id the accounting gave it (checked in Finish), and appends
    // without first searching the table for a row with that id. Into event_rows, which has no kind and status (the view
    // events computes them when read) and declares no NOT NULL: each would be work for SQLite on every row.
    static readonly string[] EventColumns =
    [
        "trace_id", "seq", "line", "pid", "api", "site_id", "size", "nmemb", "elsize", "ptr", "old_ptr",
        "freed_bytes", "replaced", "live_bytes", "live_blocks", "chain_id", "leaked", "stack_id", "time_ns", "freed_site_id",
    ];
    const int TraceIdColumn = 1, LeakedColumn = 17;

    readonly PreparedGroup _statements; // every statement below: disposed together, also when the constructor fails
    static readonly string[] FlowColumns = ["trace_id", "line", "pid", "type", "file", "file_line", "function"];
    static readonly string[] StackColumns = ["id", "parent_id", "file", "function", "depth"];
    /// <summary>Flow lines and new stacks inserted by one statement, as events are.</summary>
    internal const int FlowsPerInsert = 32, StacksPerInsert = 32;

    readonly PreparedStatement _events, _event, _drop, _note, _unparsed, _flows, _flow, _stacks, _stack;
    PreparedStatement? _aggTable, _aggBucket; // prepared at the first aggregation: most logs have none
    readonly PinnedUtf8 _apis = new();
    readonly BoundValues _eventValues, _eventsValues, _flowValues, _flowsValues, _stackValues, _stacksValues;
    readonly List<byte[]> _names = new(); // the trace's flow-line names by number, as pinned UTF-8
    static readonly byte[] Call = PinnedUtf8.Encode("CALL"), Rtn = PinnedUtf8.Encode("RTN");
    readonly SideTableWriter _side;
    EventAccounting? _accounting;

    public long Events { get; private set; }
    public long FlowLines { get; private set; }
    public long Notes { get; private set; }
    public long Unparsed { get; private set; }
    public long Aggregations { get; private set; }

    internal long FirstEventId { get; }
    internal long FirstStackId { get; }

    public TraceWriter(SqliteConnection conn, SqliteTransaction tx, long traceId)
    {
        _conn = conn;
        _tx = tx;
        _traceId = traceId;
        using (var next = new PreparedStatement(conn, "SELECT coalesce(max(id), 0) + 1 FROM events")) FirstEventId = next.Scalar()!.Value;
        using (var next = new PreparedStatement(conn, "SELECT coalesce(max(id), 0) + 1 FROM stacks")) FirstStackId = next.Scalar()!.Value;
        _statements = new PreparedGroup(conn);
        try
        {
            _event = _statements.Add(PreparedInsert.Into(conn, "event_rows", EventColumns));
            _events = _statements.Add(PreparedInsert.Rows(conn, EventsPerInsert, "event_rows", EventColumns));
            _drop = _statements.Add(PreparedInsert.Into(conn, "dropped_blocks", "event_id", "trace_id", "block_event_id", "site_id", "bytes"));
            _note = _statements.Add(PreparedInsert.Into(conn, "notes", "trace_id", "line", "kind", "text"));
            _unparsed = _statements.Add(PreparedInsert.Into(conn, "unparsed", "trace_id", "line", "text"));
            _flow = _statements.Add(PreparedInsert.Into(conn, "flow", FlowColumns));
            _flows = _statements.Add(PreparedInsert.Rows(conn, FlowsPerInsert, "flow", FlowColumns));
            _stack = _statements.Add(PreparedInsert.Into(conn, "stacks", StackColumns));
            _stacks = _statements.Add(PreparedInsert.Rows(conn, StacksPerInsert, "stacks", StackColumns));
            _sites = new SiteCatalog(conn);
            try
            {
                _side = new SideTableWriter(conn, traceId);
            }
            catch
            {
                _sites.Dispose();
                throw;
            }
        }
        catch
        {
            _statements.Dispose();
            throw;
        }
        _eventValues = new BoundValues(_event, EventColumns.Length);
        _eventsValues = new BoundValues(_events, EventColumns.Length * EventsPerInsert);
        _flowValues = new BoundValues(_flow, FlowColumns.Length);
        _flowsValues = new BoundValues(_flows, FlowColumns.Length * FlowsPerInsert);
        _stackValues = new BoundValues(_stack, StackColumns.Length);
        _stacksValues = new BoundValues(_stacks, StackColumns.Length * StacksPerInsert);
        for (int r = 0; r < FlowsPerInsert; r++)
        {
            if (r == 0) _flowValues.Int(1, traceId);
            _flowsValues.Int(r * FlowColumns.Length + 1, traceId);
        }
        // the same for every row: bound once (reset keeps bindings)
        for (int r = 0; r < EventsPerInsert; r++)
        {
            if (r == 0) _eventValues.Int(TraceIdColumn, traceId);
            if (r == 0) _eventValues.Int(LeakedColumn, 0);
            _eventsValues.Int(r * EventColumns.Length + TraceIdColumn, traceId);
            _eventsValues.Int(r * EventColumns.Length + LeakedColumn, 0);
        }
    }

    /// <summary>The accounting for this trace's events, reporting new sites and stacks straight to this writer.</summary>
    EventAccounting Accounting => _accounting ??= new EventAccounting(FirstEventId, FirstStackId, StoreSite, StoreName, StoreStack);

    public void OnEvent(long lineNumber, EventLine ev) => StoreEvent(Accounting.Account(lineNumber, ev));

    public void OnStack(long eventLine, IReadOnlyList<NativeFrame> rootFirst) => Accounting.NextEventStack(rootFirst);

    public void OnFlow(long lineNumber, FlowLine flow) => StoreFlow(Accounting.Flow(lineNumber, flow));

    public void OnNote(long lineNumber, string kind, string text)
    {
        // A flow header counts with the flow lines, so that lines = events + flow lines + notes + unparsed.
        if (kind == NoteKind.Flow) FlowLines++;
        else Notes++;
        _note.Bind(1, _traceId).Bind(2, lineNumber).Bind(3, kind).Bind(4, text).Run();
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
        _unparsed.Bind(1, _traceId).Bind(2, lineNumber).Bind(3, text).Run();
    }

    public void OnAggregation(AggregationTable table)
    {
        Aggregations++;
        _aggTable ??= _statements.Prepare(
            "INSERT INTO agg_tables(trace_id, line, section, key, kind, total, key_text, form) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        _aggBucket ??= _statements.Add(PreparedInsert.Into(_conn, "agg_buckets", "table_id", "ord", "value", "count", "bound"));
        long tableId = _aggTable.Bind(1, _traceId).Bind(2, table.Line).Bind(3, table.Section).Bind(4, AggregationKeyJson.Of(table.Key))
            .Bind(5, table.Kind).Bind(6, table.Total).Bind(7, table.KeyText).Bind(8, table.Form).Run();
        for (int i = 0; i < table.Buckets.Count; i++)
        {
            var b = table.Buckets[i];
            _aggBucket.Bind(1, tableId).Bind(2, i).Bind(3, b.Value).Bind(4, b.Count).Bind(5, b.Bound).Run();
        }
    }

    internal void StoreSite(NewSite site) => _siteIds.Add(_sites.IdOf(site.File, site.Line, site.Function));

    internal void StoreStack(NewStack s)
    {
        BindStack(_stackValues, 0, in s);
        Run(_stack);
    }

    /// <summary>Stores new stacks: whole groups through the multi-row insert, the rest one by one.</summary>
    internal void StoreStacks(ReadOnlySpan<NewStack> stacks)
    {
        while (stacks.Length >= StacksPerInsert)
        {
            for (int r = 0; r < StacksPerInsert; r++) BindStack(_stacksValues, r * StackColumns.Length, in stacks[r]);
            Run(_stacks);
            stacks = stacks[StacksPerInsert..];
        }
        foreach (var s in stacks) StoreStack(s);
    }

    void BindStack(BoundValues v, int at, in NewStack s)
    {
        v.Int(at + 1, s.Id);
        v.Optional(at + 2, s.ParentId != 0, s.ParentId);
        v.Name(at + 3, s.File, _names[s.File]);
        v.Name(at + 4, s.Function, _names[s.Function]);
        v.Int(at + 5, s.Depth);
    }

    /// <summary>A name of the trace's flow lines, numbered in order from 0.</summary>
    internal void StoreName(int number, string name)
    {
        if (number != _names.Count) throw new InvalidOperationException($"flow-line name {number} came after {_names.Count - 1}");
        _names.Add(PinnedUtf8.Encode(name));
    }

    /// <summary>Stores consecutive flow lines: whole groups through the multi-row insert, the rest one by one.</summary>
    internal void StoreFlows(ReadOnlySpan<FlowRow> rows)
    {
        while (rows.Length >= FlowsPerInsert)
        {
            for (int r = 0; r < FlowsPerInsert; r++) BindFlow(_flowsValues, r * FlowColumns.Length, in rows[r]);
            Run(_flows);
            FlowLines += FlowsPerInsert;
            foreach (ref readonly var f in rows[..FlowsPerInsert]) StoreToolkitColumns(in f);
            rows = rows[FlowsPerInsert..];
        }
        foreach (ref readonly var f in rows) StoreFlow(in f);
    }

    internal void StoreFlow(in FlowRow flow)
    {
        FlowLines++;
        BindFlow(_flowValues, 0, in flow);
        Run(_flow);
        StoreToolkitColumns(in flow);
    }

    void StoreToolkitColumns(in FlowRow flow)
    {
        if (flow.Toolkit is { } line) _side.FlowInfo(flow.Line, line);
    }

    void BindFlow(BoundValues v, int at, in FlowRow f)
    {
        v.Int(at + 2, f.Line);
        v.Int(at + 3, f.Pid);
        v.Name(at + 4, f.IsCall ? -1 : -2, f.IsCall ? Call : Rtn);
        v.Name(at + 5, f.File, _names[f.File]);
        v.Int(at + 6, f.FileLine);
        v.Name(at + 7, f.Function, _names[f.Function]);
    }

    /// <summary>Stores consecutive events: whole groups through the multi-row insert, the rest one by one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void StoreEvents(ReadOnlySpan<EventRow> rows)
    {
        while (rows.Length >= EventsPerInsert)
        {
            for (int r = 0; r < EventsPerInsert; r++) BindEvent(_eventsValues, r * EventColumns.Length, in rows[r]);
            Run(_events);
            Events += EventsPerInsert;
            rows = rows[EventsPerInsert..];
        }
        foreach (ref readonly var e in rows) StoreEvent(in e);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void StoreEvent(in EventRow e)
    {
        Events++;
        BindEvent(_eventValues, 0, in e);
        Run(_event);
    }

    static void Run(PreparedStatement statement)
    {
        nint s = statement.Handle;
        int rc = SqliteNative.Step(s);
        SqliteNative.Reset(s);
        if (rc != SqliteNative.Done) statement.Check(rc);
    }

    /// <summary>Binds one event's columns from parameter <paramref name="at"/> + 1 on (trace_id and leaked are bound once; the id is SQLite's).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    void BindEvent(BoundValues v, int at, in EventRow e)
    {
        var call = e.Call;
        v.Int(at + 2, e.Seq);
        v.Int(at + 3, e.Line);
        v.Int(at + 4, e.Pid);
        v.Text(at + 5, _apis, call.Api);
        v.Int(at + 6, _siteIds[e.Site]);
        // kind and status follow from these NULLs (see schema.sql): a free has no size, a realloc an old pointer, a
        // calloc its nmemb; a released block its site
        v.Optional(at + 7, call.Kind != CallKind.Free, call.Size);
        v.Optional(at + 8, call.Kind == CallKind.Calloc, call.Count);
        v.Optional(at + 9, call.Kind == CallKind.Calloc, call.ElementSize);
        v.Int(at + 10, call.Pointer);
        v.Optional(at + 11, call.Kind == CallKind.Realloc, call.OldPointer);
        v.Int(at + 12, e.Outcome.FreedBytes);
        v.Int(at + 13, e.Outcome.Replaced ? 1 : 0);
        v.Int(at + 14, e.LiveBytes);
        v.Int(at + 15, e.LiveBlocks);
        v.Optional(at + 16, e.Outcome.ChainId is not null, e.Outcome.ChainId ?? 0);
        v.Optional(at + 18, e.StackId != 0, e.StackId);
        v.Optional(at + 19, e.Time is not null, e.Time ?? 0);
        v.Optional(at + 20, e.FreedSite >= 0, e.FreedSite >= 0 ? _siteIds[e.FreedSite] : 0);
        if (e.Dropped is { } drop) StoreDrop(e.Id, drop);
    }

    void StoreDrop(long eventId, DroppedBlock drop) =>
        _drop.Bind(1, eventId).Bind(2, _traceId).Bind(3, drop.BlockEventId).Bind(4, _siteIds[drop.Site]).Bind(5, drop.Bytes).Run();

    /// <summary>Marks the events whose blocks are still live (the leaks) and stores the totals. Call once, after the last line.</summary>
    public void MarkLeaks() => Finish(Accounting);

    internal void Finish(EventAccounting accounting)
    {
        using (var last = new PreparedStatement(_conn, "SELECT coalesce(max(id), 0) FROM events"))
            if (last.Scalar() != FirstEventId + accounting.Events - 1)
                throw new InvalidOperationException($"events were stored with other ids than the accounting gave them (last {FirstEventId + accounting.Events - 1})");
        LeakMarks.Mark(_conn, accounting.LiveEventIds());
        accounting.Totals.Store(_conn, _traceId, _siteIds, accounting.SiteSeries, accounting.LeakedBySite());
        accounting.StoreKept(_conn, _traceId, _siteIds);
        // the trace's events are one id range (ids are given consecutively, in seq order): what per-trace reads scan
        using (var range = new PreparedStatement(_conn, "UPDATE traces SET first_event_id = ?1, last_event_id = ?2 WHERE id = ?3"))
            range.Bind(1, FirstEventId).Bind(2, FirstEventId + accounting.Events - 1).Bind(3, _traceId).Run();
    }

    public void Dispose()
    {
        _statements.Dispose();
        _side.Dispose();
        _sites.Dispose();
    }
}
