-- pmanalyze store, schema version 11 (Database.SchemaVersion). Documented in docs/schema.md: keep the two in step.
--
-- Byte sums are written saturating_sum(x): sizes are size_t and their sums can pass 2^63, where SQLite's sum() fails
-- with "integer overflow" (and total() is an inexact double). When the schema is created, Store/SaturatingSumSql.cs
-- expands it into plain SQL (the views stored in the database run in any SQLite): exact where the total fits 64 bits,
-- else 9223372036854775807 (2^63 - 1: "this much or more"; -9223372036854775807 below). Counts use sum() as usual.

CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- One row per imported log.
CREATE TABLE IF NOT EXISTS traces (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,      -- the path as given, or '-' for standard input
    name            TEXT NOT NULL,      -- file name of the source
    sha256          TEXT NOT NULL,      -- of the (decompressed) content: the same content is imported once
    bytes           INTEGER NOT NULL,
    imported_at     TEXT NOT NULL,      -- ISO-8601, UTC
    lines           INTEGER NOT NULL,   -- every line of the log
    events          INTEGER NOT NULL,   -- recognised malloc/calloc/realloc/free calls
    flow_lines      INTEGER NOT NULL,   -- Python CALL/RTN lines of the call-stack mode and their header
    notes           INTEGER NOT NULL,   -- blank lines, BEGIN/END, notices, text and aggregation lines (lines = events + flow_lines + notes + unparsed_lines)
    unparsed_lines  INTEGER NOT NULL,   -- non-blank lines inside BEGIN..END that are none of the above
    aggregations    INTEGER NOT NULL,   -- DTrace aggregation tables stored in agg_tables
    tool_version    TEXT NOT NULL,
    first_event_id  INTEGER NOT NULL DEFAULT 1,  -- the trace's events are events.id first_event_id..last_event_id, in
    last_event_id   INTEGER NOT NULL DEFAULT 0,  -- seq order (seq = id - first_event_id + 1); set when the import ends
    input_problem   TEXT,               -- why the log is not whole (damaged or cut-short gzip, read error, no dtrace:::END); NULL when it is
    run_name        TEXT                -- the name given with import --name (--trace NAME); NULL when none was given
);
CREATE INDEX IF NOT EXISTS traces_by_sha256 ON traces(sha256);
CREATE UNIQUE INDEX IF NOT EXISTS traces_by_run_name ON traces(run_name) WHERE run_name IS NOT NULL;

-- Python source sites (file, line, function), shared by all traces.
CREATE TABLE IF NOT EXISTS sites (
    id       INTEGER PRIMARY KEY,
    file     TEXT NOT NULL,
    line     INTEGER NOT NULL,
    function TEXT NOT NULL,
    UNIQUE (file, line, function)
);

-- Python call stacks of the call-stack mode, as a tree: a stack is its top frame plus its parent stack.
CREATE TABLE IF NOT EXISTS stacks (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER,                  -- NULL for an outermost frame
    file      TEXT NOT NULL,
    function  TEXT NOT NULL,
    depth     INTEGER NOT NULL          -- 1 for an outermost frame
);

-- One row per memory event, with what the accounting rules made of it: read it through the view events below, which
-- adds kind and status. The columns the importer always fills (all but size, nmemb, elsize, old_ptr, freed_site_id,
-- chain_id, stack_id, time_ns) are never NULL, but say no NOT NULL: SQLite checks each declared constraint on every
-- row, and those checks, with the two computed columns when they were generated columns of this table (SQLite computes
-- generated columns on every insert too), were a quarter of the cost of storing an event.
CREATE TABLE IF NOT EXISTS event_rows (
    id          INTEGER PRIMARY KEY,
    trace_id    INTEGER,
    seq         INTEGER,                -- 1-based event number within the trace
    line        INTEGER,                -- line number in the log
    pid         INTEGER,
    api         TEXT,                   -- as printed: malloc, _PyObject_Malloc, _PyMem_RawRealloc, ...
    site_id     INTEGER,                -- the calling site (file, line, function) of the line
    size        INTEGER,                -- requested bytes (calloc: nmemb*elsize; realloc: new size); NULL for free
    nmemb       INTEGER,                -- calloc's arguments
    elsize      INTEGER,
    ptr         INTEGER,                -- block returned (malloc, calloc, realloc) or passed to free
    old_ptr     INTEGER,                -- realloc's old block
    freed_bytes INTEGER,                -- bytes of the live block this event released (free, or realloc's old block)
    freed_site_id INTEGER,              -- the allocating site of that block; NULL when the event released none
    replaced    INTEGER,                -- 1: the returned pointer was still live, its free was missed; that block is dropped
    live_bytes  INTEGER,                -- live bytes of all pids after this event
    live_blocks INTEGER,                -- live blocks of all pids after this event
    chain_id    INTEGER,                -- realloc chain of a realloc, or the chain a free ended
    leaked      INTEGER,                -- 1: the block this event (re)allocated is still live at the end
    stack_id    INTEGER,                -- Python call stack at this event (call-stack mode), see stacks
    time_ns     INTEGER                 -- the line's time stamp (@NANOSECONDS, bpftrace's nsecs); NULL when it has none
);
-- No index on (trace_id, seq): a trace's events are the id range traces.first_event_id..last_event_id, ordered like seq,
-- so the rowid answers both (and the import does not maintain an index over every event).
CREATE INDEX IF NOT EXISTS events_leaked ON event_rows(trace_id, site_id) WHERE leaked = 1;
CREATE INDEX IF NOT EXISTS events_by_chain ON event_rows(trace_id, chain_id) WHERE chain_id IS NOT NULL;

-- The events as every report and query reads them: event_rows plus kind and status, which follow from the NULLs of the
-- other columns and are computed only when a query reads them. SQLite reads the view as the table (its indexes and
-- id ranges included).
CREATE VIEW IF NOT EXISTS events AS
SELECT id, trace_id, seq, line, pid,
       CASE WHEN size IS NULL THEN 'free' WHEN old_ptr IS NOT NULL THEN 'realloc' WHEN nmemb IS NOT NULL THEN 'calloc'
            ELSE 'malloc' END AS kind,  -- malloc | calloc | realloc | free
       api, site_id, size, nmemb, elsize, ptr, old_ptr,
       CASE WHEN freed_site_id IS NOT NULL THEN 'freed' WHEN size IS NULL THEN (CASE WHEN ptr = 0 THEN 'null' ELSE 'unknown' END)
            WHEN old_ptr IS NOT NULL THEN (CASE WHEN old_ptr = 0 THEN 'null' ELSE 'unknown' END) END AS status,
                                        -- free and realloc: 'freed' (a live block was released), 'null' (pointer 0), 'unknown'
       freed_bytes, freed_site_id, replaced, live_bytes, live_blocks, chain_id, leaked, stack_id, time_ns
FROM event_rows;

-- Blocks dropped because their pointer came back from an allocation while still live (events.replaced = 1: the
-- block's free was missed, DTrace dropped it or the tracer started late). One row per dropped block.
CREATE TABLE IF NOT EXISTS dropped_blocks (
    event_id       INTEGER PRIMARY KEY, -- the (re)allocation that returned the pointer again → events.id
    trace_id       INTEGER NOT NULL,
    block_event_id INTEGER NOT NULL,    -- the event that had allocated the dropped block → events.id
    site_id        INTEGER NOT NULL,    -- its allocating site
    bytes          INTEGER NOT NULL     -- its size
);

-- Python CALL/RTN lines of the call-stack mode.
CREATE TABLE IF NOT EXISTS flow (
    trace_id  INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    pid       INTEGER NOT NULL,
    type      TEXT NOT NULL,            -- CALL | RTN
    file      TEXT NOT NULL,
    file_line INTEGER NOT NULL,
    function  TEXT NOT NULL,
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

-- Every line that is neither an event, a flow line nor unparsed: kind is blank, begin, end, text, notice, flow or aggregation.
CREATE TABLE IF NOT EXISTS notes (
    trace_id INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

-- Non-blank lines inside BEGIN..END that no rule recognised, kept as they were (and the line a cut-short input stopped in).
CREATE TABLE IF NOT EXISTS unparsed (
    trace_id INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

-- DTrace's own aggregations printed after END (and bpftrace's maps, a bcc tool's stack counts: see form).
CREATE TABLE IF NOT EXISTS agg_tables (
    id       INTEGER PRIMARY KEY,
    trace_id INTEGER NOT NULL,
    line     INTEGER NOT NULL,          -- line of the table header (or of the value, for scalars)
    section  TEXT NOT NULL,             -- title the table stands under, '' when none
    key      TEXT NOT NULL,             -- JSON array of the key columns
    kind     TEXT NOT NULL,             -- quantize | lquantize | llquantize | scalar
    total    INTEGER,                   -- the total printed on the key line, a scalar's value, a packed table's count; NULL when none
    key_text TEXT NOT NULL DEFAULT '',  -- the key lines as printed (trimmed, joined by newlines)
    form     TEXT NOT NULL DEFAULT ''   -- how it was printed: '' DTrace, 'packed' (-x aggpack: no bucket rows), 'bpftrace', 'bcc'
);
CREATE INDEX IF NOT EXISTS agg_tables_by_trace ON agg_tables(trace_id);

CREATE TABLE IF NOT EXISTS agg_buckets (
    table_id INTEGER NOT NULL,
    ord      INTEGER NOT NULL,          -- row order as printed
    value    INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    bound    TEXT,                      -- open-ended rows: '<', '>=' (lquantize, bpftrace), '<=', 'abs() <' (Oracle DTrace 2.x llquantize)
    PRIMARY KEY (table_id, ord)
) WITHOUT ROWID;

-- Reports, as views: every report of pmanalyze can be reproduced with `pmanalyze query`.

CREATE VIEW IF NOT EXISTS leak_sites AS
SELECT e.trace_id, s.file, s.line, s.function, count(*) AS count, saturating_sum(e.size) AS bytes
FROM events e JOIN sites s ON s.id = e.site_id
WHERE e.leaked = 1
GROUP BY e.trace_id, e.site_id;

CREATE VIEW IF NOT EXISTS leaked_blocks AS
SELECT e.trace_id, e.pid, printf('0x%x', e.ptr) AS pointer, e.size, s.file, s.line, s.function,
       e.line AS log_line, e.seq AS event
FROM events e JOIN sites s ON s.id = e.site_id
WHERE e.leaked = 1;

CREATE VIEW IF NOT EXISTS function_totals AS
SELECT t.id AS trace_id, s.file, s.function,
       sum(e.kind IN ('malloc', 'calloc')) AS allocs,
       sum(e.kind = 'realloc') AS reallocs,
       coalesce(saturating_sum(e.size), 0) AS bytes_allocated,
       sum(e.kind = 'free' AND e.status = 'freed') AS frees,
       saturating_sum(e.freed_bytes) AS bytes_freed,
       saturating_sum(CASE WHEN e.leaked = 1 THEN e.size ELSE 0 END) AS bytes_outstanding
FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id JOIN sites s ON s.id = e.site_id
WHERE e.kind <> 'free' OR e.status = 'freed'
GROUP BY t.id, s.file, s.function;

CREATE VIEW IF NOT EXISTS realloc_chains AS
WITH c AS (
    SELECT trace_id, chain_id,
           min(CASE WHEN kind = 'realloc' THEN id END) AS first_id,
           max(CASE WHEN kind = 'realloc' THEN id END) AS last_id,
           sum(kind = 'realloc') AS length,
           max(kind = 'free') AS freed
    FROM events WHERE chain_id IS NOT NULL
    GROUP BY trace_id, chain_id)
SELECT c.trace_id, c.chain_id,
       printf('0x%x', f.old_ptr) AS start_pointer, printf('0x%x', l.ptr) AS end_pointer,
       c.length, f.freed_bytes AS first_size, l.size AS last_size, c.freed,
       s.file, s.line, s.function
FROM c JOIN events f ON f.id = c.first_id JOIN events l ON l.id = c.last_id JOIN sites s ON s.id = f.site_id
WHERE c.freed = 1 OR l.leaked = 1;

CREATE VIEW IF NOT EXISTS trace_summary AS
SELECT t.id AS trace_id, t.lines, t.events,
       coalesce(sum(e.kind IN ('malloc', 'calloc')), 0) AS allocs,
       coalesce(sum(e.kind = 'realloc'), 0) AS reallocs,
       coalesce(sum(e.kind = 'free' AND e.status = 'freed'), 0) AS frees,
       coalesce(sum(e.kind = 'free' AND e.status = 'null'), 0) AS null_frees,
       coalesce(sum(e.kind = 'free' AND e.status = 'unknown'), 0) AS unknown_frees,
       coalesce(sum(e.replaced), 0) AS missed_frees,
       coalesce(saturating_sum(e.size), 0) AS bytes_allocated,
       coalesce(saturating_sum(e.freed_bytes), 0) AS bytes_freed,
       coalesce(saturating_sum(CASE WHEN e.leaked = 1 THEN e.size ELSE 0 END), 0) AS bytes_outstanding,
       coalesce(sum(e.leaked), 0) AS leaked_blocks,
       coalesce(max(e.live_bytes), 0) AS peak_bytes,
       coalesce(max(e.live_blocks), 0) AS peak_blocks,
       coalesce(max(e.size), 0) AS max_alloc, t.unparsed_lines,
       (SELECT peak_event FROM trace_peak p WHERE p.trace_id = t.id) AS peak_event,
       (SELECT peak_line FROM trace_peak p WHERE p.trace_id = t.id) AS peak_line,
       (SELECT count(*) FROM temporary_blocks tb WHERE tb.trace_id = t.id) AS temporary_allocs, t.input_problem
FROM traces t LEFT JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id
GROUP BY t.id;

-- DTrace's own output beyond the memory events.

-- DTrace notices (`dtrace: ...` lines; each is also in notes with kind 'notice'), by kind: buffer_drops,
-- aggregation_drops, dynamic_variable_drops, speculative_drops, other_drops, error, aborted (these mean records
-- were lost), pid_exited, probes_matched, sip, other.
CREATE TABLE IF NOT EXISTS notices (
    trace_id INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    number   INTEGER,                   -- drops: how many; probes_matched: probes; pid_exited: the pid
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

-- The extra columns of DTraceToolkit flow lines (py_flowinfo.d and kin), one row per such line of the flow table.
CREATE TABLE IF NOT EXISTS flow_info (
    trace_id INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    cpu      INTEGER NOT NULL,
    delta_us INTEGER NOT NULL,          -- microseconds since the previous line
    probe    TEXT NOT NULL,             -- func (a Python call: moves the stack), syscall, ...
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

-- `PS: N` lines of the RSS-sampling script: resident size in KB after a Python call.
CREATE TABLE IF NOT EXISTS rss_samples (
    trace_id  INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    pid       INTEGER,                  -- of the flow or event line before the sample
    kilobytes INTEGER NOT NULL,         -- -1 when ps printed nothing (the process had exited)
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

-- Lines as read when ANSI escape sequences were removed before parsing (the stripped text is where it belongs).
CREATE TABLE IF NOT EXISTS raw_lines (
    trace_id INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (trace_id, line)
) WITHOUT ROWID;

CREATE VIEW IF NOT EXISTS notice_counts AS
SELECT trace_id, kind, count(*) AS lines, saturating_sum(number) AS number FROM notices GROUP BY trace_id, kind;

CREATE VIEW IF NOT EXISTS rss_series AS
SELECT r.trace_id, r.pid, row_number() OVER (PARTITION BY r.trace_id, r.pid ORDER BY r.line) AS sample,
       r.line, r.kilobytes
FROM rss_samples r WHERE r.kilobytes >= 0;

-- A stack's frames root first, 'file:function' joined by ';' (the flame-graph folded form; ';' in names becomes ':').
CREATE VIEW IF NOT EXISTS stack_paths AS
WITH RECURSIVE p(stack_id, path, depth) AS (
    SELECT id, replace(file || ':' || function, ';', ':'), depth FROM stacks WHERE parent_id IS NULL
    UNION ALL
    SELECT s.id, p.path || ';' || replace(s.file || ':' || s.function, ';', ':'), s.depth
    FROM stacks s JOIN p ON s.parent_id = p.stack_id)
SELECT stack_id, path, depth FROM p;

-- Requested bytes (allocations and reallocs) by call stack: "which call paths allocate the most".
CREATE VIEW IF NOT EXISTS stack_totals AS
SELECT e.trace_id, e.stack_id, coalesce(p.path, '[no stack]') AS path,
       sum(e.kind IN ('malloc', 'calloc')) AS allocs, sum(e.kind = 'realloc') AS reallocs, saturating_sum(e.size) AS bytes
FROM events e LEFT JOIN stack_paths p ON p.stack_id = e.stack_id
WHERE e.kind <> 'free'
GROUP BY e.trace_id, e.stack_id;

-- The memory scripts' per (file, function) malloc totals (key [file, function] with a printed total) against the
-- malloc events of the same file and function: missing_bytes > 0 means DTrace dropped event records.
CREATE VIEW IF NOT EXISTS malloc_reconcile AS
WITH agg AS (
    SELECT trace_id, json_extract(key, '$[0]') AS file, json_extract(key, '$[1]') AS function, saturating_sum(total) AS bytes
    FROM agg_tables
    WHERE kind <> 'scalar' AND total IS NOT NULL AND json_array_length(key) = 2
    GROUP BY trace_id, file, function),
ev AS ( -- the malloc events' bytes per (file, function), from the totals kept at import (site_totals): no scan of events
    SELECT st.trace_id, s.file, s.function, saturating_sum(st.malloc_bytes) AS bytes
    FROM site_totals st JOIN sites s ON s.id = st.site_id
    WHERE st.mallocs > 0 AND st.trace_id IN (SELECT trace_id FROM agg)
    GROUP BY st.trace_id, s.file, s.function)
SELECT a.trace_id, a.file, a.function, coalesce(e.bytes, 0) AS event_bytes, a.bytes AS aggregation_bytes,
       max(-9223372036854775807, min(9223372036854775807, a.bytes - coalesce(e.bytes, 0))) AS missing_bytes -- a difference past 2^63 (REAL in SQLite) saturates
FROM agg a LEFT JOIN ev e ON e.trace_id = a.trace_id AND e.file = a.file AND e.function = a.function
UNION ALL
SELECT e.trace_id, e.file, e.function, e.bytes, 0, -e.bytes
FROM ev e WHERE NOT EXISTS (SELECT 1 FROM agg a WHERE a.trace_id = e.trace_id AND a.file = e.file AND a.function = e.function);

-- Totals kept at import, so that the summary and functions reports need no scan of events. They hold exactly what
-- the views trace_summary and function_totals compute from the events (a test checks it on every fixture).
CREATE TABLE IF NOT EXISTS trace_totals (
    trace_id          INTEGER PRIMARY KEY,
    allocs            INTEGER NOT NULL,
    reallocs          INTEGER NOT NULL,
    frees             INTEGER NOT NULL,
    null_frees        INTEGER NOT NULL,
    unknown_frees     INTEGER NOT NULL,
    missed_frees      INTEGER NOT NULL,
    bytes_allocated   INTEGER NOT NULL,
    bytes_freed       INTEGER NOT NULL,
    bytes_outstanding INTEGER NOT NULL,
    leaked_blocks     INTEGER NOT NULL,
    peak_bytes        INTEGER NOT NULL,
    peak_blocks       INTEGER NOT NULL,
    max_alloc         INTEGER NOT NULL,
    peak_event        INTEGER,            -- first event after which live bytes reached peak_bytes (NULL: never above 0)
    peak_line         INTEGER,            -- its log line
    temporary_allocs  INTEGER NOT NULL,   -- blocks freed by the very next memory event of the same pid
    site_bucket_width INTEGER             -- events per bucket of site_timeline
);

-- Per (trace, site): the events that function_totals counts (all but frees of null or unknown pointers).
CREATE TABLE IF NOT EXISTS site_totals (
    trace_id          INTEGER NOT NULL,
    site_id           INTEGER NOT NULL,
    allocs            INTEGER NOT NULL,
    reallocs          INTEGER NOT NULL,
    bytes_allocated   INTEGER NOT NULL,
    frees             INTEGER NOT NULL,
    bytes_freed       INTEGER NOT NULL,
    bytes_outstanding INTEGER NOT NULL,
    mallocs           INTEGER NOT NULL,   -- malloc calls alone (not calloc or realloc): what malloc_reconcile compares
    malloc_bytes      INTEGER NOT NULL,   -- their requested bytes
    temporary_allocs  INTEGER NOT NULL,   -- blocks allocated here that the very next event of the pid freed (temporary_blocks)
    temporary_bytes   INTEGER NOT NULL,   -- their bytes
    max_live_bytes    INTEGER NOT NULL DEFAULT 0,   -- the most bytes of this site live at any moment
    PRIMARY KEY (trace_id, site_id)
) WITHOUT ROWID;

-- Per (trace, allocation context): a context is a (site, call stack) of (re)allocations (stack_id NULL: the trace has
-- no call stacks, or none was open). What was requested there, what was live at the first peak (trace_totals.peak_event),
-- and what is live at the end (the leaks): exactly what replaying the events gives (leaked_blocks and the peak
-- report), kept at import so that reports by site or stack never read the events.
CREATE TABLE IF NOT EXISTS context_totals (
    trace_id        INTEGER NOT NULL,
    site_id         INTEGER NOT NULL,
    stack_id        INTEGER,
    allocs          INTEGER NOT NULL,   -- malloc, calloc and realloc events
    bytes_allocated INTEGER NOT NULL,   -- their requested bytes
    peak_bytes      INTEGER NOT NULL,   -- live at the peak
    peak_blocks     INTEGER NOT NULL,
    leaked_bytes    INTEGER NOT NULL,   -- live at the end
    leaked_blocks   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS context_totals_by_trace ON context_totals(trace_id, site_id);

-- Per (trace, pid): each process's totals, its own peak (its live bytes) and its leaks, kept at import.
CREATE TABLE IF NOT EXISTS pid_totals (
    trace_id        INTEGER NOT NULL,
    pid             INTEGER NOT NULL,
    events          INTEGER NOT NULL,
    allocs          INTEGER NOT NULL,   -- malloc and calloc
    reallocs        INTEGER NOT NULL,
    frees           INTEGER NOT NULL,   -- frees of live blocks
    bytes_allocated INTEGER NOT NULL,
    bytes_freed     INTEGER NOT NULL,
    leaked_bytes    INTEGER NOT NULL,
    leaked_blocks   INTEGER NOT NULL,
    peak_bytes      INTEGER NOT NULL,   -- the most this pid held
    peak_blocks     INTEGER NOT NULL,
    peak_event      INTEGER,            -- first event (seq, of the trace) after which it held peak_bytes; NULL: never above 0
    peak_line       INTEGER,
    PRIMARY KEY (trace_id, pid)
) WITHOUT ROWID;

-- Each site's live bytes over the trace, kept at import on a grid of buckets of trace_totals.site_bucket_width events
-- (a power of two; at most 4,096 buckets, and 65,536 rows or one per site when there are more sites): one row per bucket in which the site's live bytes changed, with their
-- value at the bucket's end. Its value at the end of any bucket is its latest row up to that bucket. Growth ranking and
-- per-site timelines read it.
CREATE TABLE IF NOT EXISTS site_timeline (
    trace_id   INTEGER NOT NULL,
    site_id    INTEGER NOT NULL,
    bucket     INTEGER NOT NULL,        -- events bucket * width + 1 .. (bucket + 1) * width
    live_bytes INTEGER NOT NULL,        -- at the bucket's end
    live_blocks INTEGER NOT NULL,       -- at the bucket's end
    max_bytes  INTEGER NOT NULL,        -- the most live bytes of the site at any moment up to the bucket's end
    PRIMARY KEY (trace_id, site_id, bucket)
) WITHOUT ROWID;

-- Timelines kept at import, downsampled without loss of the envelope: the events of a series (pid NULL: all pids,
-- else that pid's own live bytes; the first 256 pids of a trace) cut into buckets of `width` consecutive events (a
-- power of two; at most 4,096 buckets), each with its first highest and first lowest point. The timeline report
-- reads these when the points asked for span whole buckets.
CREATE TABLE IF NOT EXISTS timeline_series (
    trace_id    INTEGER NOT NULL,
    pid         INTEGER,
    events      INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    last_event  INTEGER NOT NULL,       -- the series' last point
    last_line   INTEGER NOT NULL,
    last_bytes  INTEGER NOT NULL,
    last_blocks INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_series_by_trace ON timeline_series(trace_id, pid);

CREATE TABLE IF NOT EXISTS timeline_buckets (
    trace_id    INTEGER NOT NULL,
    pid         INTEGER,
    bucket      INTEGER NOT NULL,       -- 0, 1, ...: events bucket * width + 1 .. (bucket + 1) * width of the series
    high_event  INTEGER NOT NULL,
    high_line   INTEGER NOT NULL,
    high_bytes  INTEGER NOT NULL,
    high_blocks INTEGER NOT NULL,
    low_event   INTEGER NOT NULL,
    low_line    INTEGER NOT NULL,
    low_bytes   INTEGER NOT NULL,
    low_blocks  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_buckets_by_series ON timeline_buckets(trace_id, pid, bucket);

-- Per (trace, size bucket): what the view size_buckets counts (requested sizes of malloc, calloc and realloc).
CREATE TABLE IF NOT EXISTS size_totals (
    trace_id INTEGER NOT NULL,
    bucket   INTEGER NOT NULL,          -- the largest power of two <= size; 0 for size 0
    count    INTEGER NOT NULL,
    bytes    INTEGER NOT NULL,
    PRIMARY KEY (trace_id, bucket)
) WITHOUT ROWID;

CREATE VIEW IF NOT EXISTS trace_summary_stored AS
SELECT t.id AS trace_id, t.lines, t.events, s.allocs, s.reallocs, s.frees, s.null_frees, s.unknown_frees, s.missed_frees,
       s.bytes_allocated, s.bytes_freed, s.bytes_outstanding, s.leaked_blocks, s.peak_bytes, s.peak_blocks, s.max_alloc,
       t.unparsed_lines, s.peak_event, s.peak_line, s.temporary_allocs, t.input_problem
FROM traces t JOIN trace_totals s ON s.trace_id = t.id;

CREATE VIEW IF NOT EXISTS function_totals_stored AS
SELECT st.trace_id, s.file, s.function, sum(st.allocs) AS allocs, sum(st.reallocs) AS reallocs,
       saturating_sum(st.bytes_allocated) AS bytes_allocated, sum(st.frees) AS frees, saturating_sum(st.bytes_freed) AS bytes_freed,
       saturating_sum(st.bytes_outstanding) AS bytes_outstanding
FROM site_totals st JOIN sites s ON s.id = st.site_id
GROUP BY st.trace_id, s.file, s.function;

-- Analyses (timeline, sizes, temporary allocations, peak), documented in docs/reports.md.

-- Per event, how it changed the live total of its own pid: + the block it made live, - the block it released,
-- - the block a missed free dropped (dropped_blocks). realloc(NULL) that returned no address made no block live.
CREATE VIEW IF NOT EXISTS event_deltas AS
SELECT trace_id, id, seq, line, pid, kind, size, made_live, freed_bytes, dropped_bytes,
       max(-9223372036854775807, made_live * coalesce(size, 0) - freed_bytes - dropped_bytes) AS delta_bytes, -- saturated: REAL past 2^63
       made_live - (freed_site_id IS NOT NULL) - replaced AS delta_blocks
FROM (SELECT t.id AS trace_id, e.id, e.seq, e.line, e.pid, e.kind, e.size, e.freed_bytes, e.freed_site_id, e.replaced,
             coalesce(d.bytes, 0) AS dropped_bytes, e.size IS NOT NULL AND NOT (e.old_ptr IS 0 AND e.ptr = 0) AS made_live
      FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id LEFT JOIN dropped_blocks d ON d.event_id = e.id);

-- Live bytes and blocks of each pid after each of that pid's events (the events table holds the all-pid totals).
-- The running byte sum adds the high and low 32 bits of each change apart (as saturating_sum does): the running
-- totals of a long trace pass 2^63 even where live bytes stay small.
CREATE VIEW IF NOT EXISTS pid_timeline AS
WITH parts AS (
    SELECT trace_id, id, seq, line, pid, delta_blocks,
           made_live * (coalesce(size, 0) >> 32) - (freed_bytes >> 32) - (dropped_bytes >> 32) AS high,
           made_live * (coalesce(size, 0) & 4294967295) - (freed_bytes & 4294967295) - (dropped_bytes & 4294967295) AS low
    FROM event_deltas),
running AS (
    SELECT trace_id, seq, line, pid, sum(high) OVER w + (sum(low) OVER w >> 32) AS high, sum(low) OVER w & 4294967295 AS low,
           sum(delta_blocks) OVER w AS live_blocks
    FROM parts
    WINDOW w AS (PARTITION BY trace_id, pid ORDER BY id ROWS UNBOUNDED PRECEDING))
SELECT trace_id, seq AS event, line, pid,
       CASE WHEN high > 2147483647 THEN 9223372036854775807 WHEN high < -2147483647 THEN -9223372036854775807
            ELSE high * 4294967296 + low END AS live_bytes,
       live_blocks
FROM running;

-- The peak: the first event after which live bytes (all pids) reached their maximum.
CREATE VIEW IF NOT EXISTS trace_peak AS
WITH top AS (SELECT t.id AS trace_id, t.first_event_id, t.last_event_id, max(e.live_bytes) AS peak_bytes
             FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id GROUP BY t.id),
     first AS (SELECT top.trace_id, min(e.id) AS id, top.peak_bytes
               FROM top JOIN events e ON e.id BETWEEN top.first_event_id AND top.last_event_id AND e.live_bytes = top.peak_bytes
               WHERE top.peak_bytes > 0 GROUP BY top.trace_id)
SELECT first.trace_id, e.seq AS peak_event, e.line AS peak_line, first.peak_bytes
FROM first JOIN events e ON e.id = first.id;

-- Requested sizes (malloc, calloc nmemb*elsize, realloc's new size) in power-of-two buckets, like DTrace's quantize:
-- bucket is the largest power of two <= size, 0 for size 0.
CREATE VIEW IF NOT EXISTS size_buckets AS
WITH s1 AS (SELECT t.id AS trace_id, e.size, e.size | (e.size >> 1) AS v
            FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id WHERE e.kind <> 'free'),
     s2 AS (SELECT trace_id, size, v | (v >> 2) AS v FROM s1),
     s3 AS (SELECT trace_id, size, v | (v >> 4) AS v FROM s2),
     s4 AS (SELECT trace_id, size, v | (v >> 8) AS v FROM s3),
     s5 AS (SELECT trace_id, size, v | (v >> 16) AS v FROM s4),
     s6 AS (SELECT trace_id, size, v | (v >> 32) AS v FROM s5)
SELECT trace_id, v - (v >> 1) AS bucket, count(*) AS count, saturating_sum(size) AS bytes
FROM s6 GROUP BY trace_id, v - (v >> 1);

-- Temporary allocations (heaptrack's definition): a block from malloc, calloc or realloc that the very next memory
-- event of the same pid frees. One row per such free, with the allocating event's site. The previous event of the
-- pid is found by walking back along the ids (at most the other pids' events in between; a freed block was allocated
-- by an earlier event of the same pid and trace, so the walk never leaves the trace).
CREATE VIEW IF NOT EXISTS temporary_blocks AS
WITH frees AS (
    SELECT t.id AS trace_id, f.pid, f.seq, f.ptr,
           (SELECT p.id FROM events p WHERE p.id < f.id AND p.id >= t.first_event_id AND p.pid = f.pid
            ORDER BY p.id DESC LIMIT 1) AS prev_id
    FROM traces t JOIN events f ON f.id BETWEEN t.first_event_id AND t.last_event_id
    WHERE f.kind = 'free' AND f.status = 'freed')
SELECT f.trace_id, f.pid, a.seq AS alloc_event, a.site_id, f.seq AS free_event, a.size
FROM frees f JOIN events a ON a.id = f.prev_id
WHERE a.kind <> 'free' AND a.ptr = f.ptr;

CREATE VIEW IF NOT EXISTS temporary_sites AS
WITH t AS (SELECT trace_id, site_id, count(*) AS count, saturating_sum(size) AS bytes FROM temporary_blocks GROUP BY trace_id, site_id),
     a AS (SELECT t.id AS trace_id, e.site_id, count(*) AS allocs
           FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id WHERE e.kind <> 'free'
           GROUP BY t.id, e.site_id)
SELECT t.trace_id, s.file, s.line, s.function, t.count, t.bytes, a.allocs
FROM t JOIN a ON a.trace_id = t.trace_id AND a.site_id = t.site_id JOIN sites s ON s.id = t.site_id;

-- The same rows from the counts kept at import (site_totals): what the temporary report reads.
CREATE VIEW IF NOT EXISTS temporary_sites_stored AS
SELECT st.trace_id, s.file, s.line, s.function, st.temporary_allocs AS count, st.temporary_bytes AS bytes,
       st.allocs + st.reallocs AS allocs
FROM site_totals st JOIN sites s ON s.id = st.site_id
WHERE st.temporary_allocs > 0;

-- Python call stacks with the bytes requested at each (self) and below it (total), for flame graphs.
CREATE VIEW IF NOT EXISTS stack_bytes AS
WITH RECURSIVE self AS (
    SELECT trace_id, stack_id, saturating_sum(size) AS bytes, count(*) AS events
    FROM events WHERE stack_id IS NOT NULL AND kind <> 'free' GROUP BY trace_id, stack_id),
up(trace_id, stack_id, bytes, events) AS (
    SELECT trace_id, stack_id, bytes, events FROM self
    UNION ALL
    SELECT up.trace_id, s.parent_id, up.bytes, up.events FROM up JOIN stacks s ON s.id = up.stack_id WHERE s.parent_id IS NOT NULL)
SELECT up.trace_id, st.id AS stack_id, st.parent_id, st.depth, st.file, st.function,
       coalesce(self.bytes, 0) AS self_bytes, saturating_sum(up.bytes) AS total_bytes, sum(up.events) AS total_allocs
FROM up JOIN stacks st ON st.id = up.stack_id
LEFT JOIN self ON self.trace_id = up.trace_id AND self.stack_id = up.stack_id
GROUP BY up.trace_id, st.id;
