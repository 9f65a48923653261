using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>Which trace a report reads: the one named with --trace (an id or a run's name), else the latest import.</summary>
public static class TraceCatalog
{
    public sealed record TraceInfo(long Id, string Source, string Name, string Sha256, long Bytes, string Imported_At, long Lines, long Events, string? Run_Name = null)
    {
        /// <summary>The run's name when it was given one, else the log's file name.</summary>
        public string Label => Run_Name ?? Name;
    }

    const string Columns = "id, source, name, sha256, bytes, imported_at, lines, events, run_name";

    public static TraceInfo Resolve(SqliteConnection conn, long? traceId)
    {
        var trace = traceId is { } id
            ? conn.QueryFirstOrDefault<TraceInfo>($"SELECT {Columns} FROM traces WHERE id = @id", new { id })
            : conn.QueryFirstOrDefault<TraceInfo>($"SELECT {Columns} FROM traces ORDER BY id DESC LIMIT 1");
        return trace ?? throw new StoreException(traceId is { } missing
            ? $"there is no trace {missing} in this database (see 'pmanalyze traces')"
            : "the database holds no trace yet: run 'pmanalyze import LOG' first");
    }

    /// <summary>--trace as typed: digits are a trace id, anything else a run's name (import --name); null is the latest import.</summary>
    public static TraceInfo ResolveIdOrName(SqliteConnection conn, string? idOrName)
    {
        if (string.IsNullOrEmpty(idOrName)) return Resolve(conn, (long?)null);
        if (idOrName.All(char.IsAsciiDigit))
            return long.TryParse(idOrName, out var id) ? Resolve(conn, id) : throw new StoreException($"there is no trace {idOrName} in this database (see 'pmanalyze traces')");
        return conn.QueryFirstOrDefault<TraceInfo>($"SELECT {Columns} FROM traces WHERE run_name = @idOrName", new { idOrName })
               ?? throw new StoreException($"no trace is named '{idOrName}' in this database (names are given with 'import --name'; see 'pmanalyze traces')");
    }

    public static ReportTable List(SqliteConnection conn) => ReportSql.Run(conn, "Traces",
        "SELECT id, run_name, name, source, imported_at, lines, events, unparsed_lines, sha256, input_problem IS NULL AS input_complete FROM traces ORDER BY id",
        [ReportSql.Int("id"), ReportSql.Text("run_name"), ReportSql.Text("name"), ReportSql.Text("source"), ReportSql.Text("imported_at"), ReportSql.Int("lines"),
         ReportSql.Int("events"), ReportSql.Int("unparsed_lines"), ReportSql.Text("sha256"), ReportSql.Bool("input_complete")],
        new Dictionary<string, object?>()) with { DropFirst = ["source", "sha256", "unparsed_lines", "imported_at", "events"] };
}
