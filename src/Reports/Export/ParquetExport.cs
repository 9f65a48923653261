using Microsoft.Data.Sqlite;
using Parquet;
using Parquet.Schema;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Export;

/// <summary>
/// Writes the store as Parquet files, one per table (traces, sites, events, leaks, aggregations), for DuckDB, Spark or
/// pandas over many traces' exports. Rows are streamed in row groups, so memory does not grow with the database.
/// Integers are INT64 and text is UTF-8 strings; columns that can be NULL in the store are optional.
/// </summary>
public static class ParquetExport
{
    const int RowGroupSize = 100_000;

    enum Kind { Integer, Text }

    sealed record Column(string Name, Kind Kind);

    sealed record Table(string Name, string Sql, Column[] Columns);

    static Column I(string name) => new(name, Kind.Integer);
    static Column T(string name) => new(name, Kind.Text);

    // Every table carries trace_sha256 where rows belong to a trace, so exports of many databases can be combined. The
    // traces are the range $first..$last (one trace, or all), which SQLite can search by key ("$trace IS NULL OR ..."
    // made it scan every trace, and index every event for the leaks); a trace's events are its id range (the rowid:
    // trace_id has no index but the leaks'), in id order as the traces' ranges follow their ids.
    static readonly Table[] Tables =
    [
        new("traces",
            """
            SELECT id, sha256, source, name, bytes, imported_at, lines, events, flow_lines, notes, unparsed_lines, aggregations, tool_version,
                   input_problem
            FROM traces WHERE id BETWEEN $first AND $last ORDER BY id
            """,
            [I("trace_id"), T("trace_sha256"), T("source"), T("name"), I("bytes"), T("imported_at"), I("lines"), I("events"), I("flow_lines"),
             I("notes"), I("unparsed_lines"), I("aggregations"), T("tool_version"), T("input_problem")]),
        new("sites",
            """
            SELECT id, file, line, function FROM sites
            WHERE id IN (SELECT DISTINCT e.site_id FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id
                         WHERE t.id BETWEEN $first AND $last)
            ORDER BY id
            """,
            [I("site_id"), T("file"), I("line"), T("function")]),
        new("events",
            """
            SELECT e.trace_id, t.sha256, e.id, e.seq, e.line, e.pid, e.kind, e.api, e.site_id, e.size, e.nmemb, e.elsize, e.ptr, e.old_ptr,
                   e.status, e.freed_bytes, e.freed_site_id, e.replaced, e.live_bytes, e.live_blocks, e.chain_id, e.leaked, e.stack_id
            FROM traces t JOIN events e ON e.id BETWEEN t.first_event_id AND t.last_event_id WHERE t.id BETWEEN $first AND $last
            ORDER BY t.id, e.id
            """,
            [I("trace_id"), T("trace_sha256"), I("event_id"), I("seq"), I("log_line"), I("pid"), T("kind"), T("api"), I("site_id"), I("size"),
             I("nmemb"), I("elsize"), I("ptr"), I("old_ptr"), T("status"), I("freed_bytes"), I("freed_site_id"), I("replaced"), I("live_bytes"),
             I("live_blocks"), I("chain_id"), I("leaked"), I("stack_id")]),
        new("leaks",
            """
            SELECT e.trace_id, t.sha256, e.id, e.seq, e.line, e.pid, e.ptr, printf('0x%x', e.ptr), e.size, e.kind, e.api,
                   e.site_id, s.file, s.line, s.function
            FROM traces t JOIN events e ON e.trace_id = t.id AND e.leaked = 1 JOIN sites s ON s.id = e.site_id
            WHERE t.id BETWEEN $first AND $last ORDER BY t.id, e.id
            """,
            [I("trace_id"), T("trace_sha256"), I("event_id"), I("seq"), I("log_line"), I("pid"), I("ptr"), T("pointer"), I("size"), T("kind"),
             T("api"), I("site_id"), T("file"), I("line"), T("function")]),
        new("aggregations",
            """
            SELECT a.trace_id, t.sha256, a.id, a.line, a.section, a.key, a.kind, a.total, b.ord, b.value, b.count, b.bound, a.form
            FROM agg_tables a JOIN traces t ON t.id = a.trace_id LEFT JOIN agg_buckets b ON b.table_id = a.id
            WHERE a.trace_id BETWEEN $first AND $last ORDER BY a.id, b.ord
            """,
            [I("trace_id"), T("trace_sha256"), I("table_id"), I("log_line"), T("section"), T("key_json"), T("kind"), I("total"), I("ord"),
             I("value"), I("count"), T("bound"), T("form")]),
    ];

    public static IReadOnlyList<string> TableNames => Tables.Select(t => t.Name).ToArray();

    /// <summary>The content hashes of the traces an export of <paramref name="traceId"/> (or of every trace) would write.</summary>
    public static IReadOnlySet<string> RunsToWrite(SqliteConnection conn, long? traceId)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT sha256 FROM traces WHERE $trace IS NULL OR id = $trace";
        cmd.Parameters.AddWithValue("$trace", traceId is { } t ? t : DBNull.Value);
        using var reader = cmd.ExecuteReader();
        var runs = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) runs.Add(reader.GetString(0));
        return runs;
    }

    /// <summary>
    /// The content hashes of the traces an earlier export left in <paramref name="directory"/> (read from its
    /// traces.parquet), or null when it holds no export. An unreadable traces.parquet counts as a foreign file.
    /// </summary>
    public static IReadOnlySet<string>? RunsAlreadyIn(string directory)
    {
        string path = Path.Combine(directory, "traces.parquet");
        if (!File.Exists(path)) return null;
        var runs = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            ReadTraceHashes(path, runs).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException)
        {
            return runs; // not an export of ours: never silently overwritten either
        }
        return runs;
    }

    /// <summary>Writes DIR/TABLE.parquet for every table; returns the rows written per table.</summary>
    public static IReadOnlyList<(string Table, long Rows, string Path)> Write(SqliteConnection conn, string directory, long? traceId)
    {
        Directory.CreateDirectory(directory);
        var written = new List<(string, long, string)>();
        foreach (var table in Tables)
        {
            string path = Path.Combine(directory, table.Name + ".parquet");
            long rows = 0; // a failed export leaves no truncated file, under the real name or another
            WholeFile.Write(path, file => rows = WriteTable(conn, table, file, traceId).GetAwaiter().GetResult());
            written.Add((table.Name, rows, path));
        }
        return written;
    }

    static async Task ReadTraceHashes(string path, HashSet<string> runs)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == "trace_sha256");
        if (field is null) return;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var values = new string?[group.RowCount];
            await group.ReadAsync(field, values.AsMemory());
            foreach (var sha in values) if (sha is not null) runs.Add(sha);
        }
    }

    static async Task<long> WriteTable(SqliteConnection conn, Table table, Stream output, long? traceId)
    {
        var fields = table.Columns.Select(c => c.Kind == Kind.Integer ? (DataField)new DataField<long?>(c.Name) : new DataField<string>(c.Name, true))
            .ToArray();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = table.Sql;
        cmd.Parameters.AddWithValue("$first", traceId ?? long.MinValue);
        cmd.Parameters.AddWithValue("$last", traceId ?? long.MaxValue);
        using var reader = cmd.ExecuteReader();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), output);
        var ints = table.Columns.Select(c => c.Kind == Kind.Integer ? new long?[RowGroupSize] : null).ToArray();
        var texts = table.Columns.Select(c => c.Kind == Kind.Text ? new string?[RowGroupSize] : null).ToArray();
        long total = 0;
        bool more = true, wroteAny = false;
        while (more)
        {
            int n = 0;
            while (n < RowGroupSize && (more = reader.Read()))
            {
                for (int c = 0; c < fields.Length; c++)
                {
                    bool isNull = reader.IsDBNull(c);
                    if (ints[c] is { } col) col[n] = isNull ? null : reader.GetInt64(c);
                    else texts[c]![n] = isNull ? null : reader.GetString(c);
                }
                n++;
            }
            if (n == 0 && wroteAny) break;
            using var group = writer.CreateRowGroup(); // an empty table still gets one (empty) row group and its schema
            for (int c = 0; c < fields.Length; c++)
            {
                if (ints[c] is { } col) await group.WriteAsync<long>(fields[c], col.AsMemory(0, n));
                else await group.WriteAsync(fields[c], new ArraySegment<string>(texts[c]!, 0, n)!);
            }
            total += n;
            wroteAny = true;
        }
        return total;
    }
}
