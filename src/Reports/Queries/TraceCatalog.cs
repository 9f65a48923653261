using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Store;

namespace PyMemTrace.Reports.Queries;

/// <summary>Which trace a report reads: the one named with --trace, else the latest import.</summary>
public static class TraceCatalog
{
    public sealed record TraceInfo(long Id, string Source, string Name, string Sha256, long Bytes, string Imported_At, long Lines, long Events);

    public static TraceInfo Resolve(SqliteConnection conn, long? traceId)
    {
        var trace = traceId is { } id
            ? conn.QueryFirstOrDefault<TraceInfo>("SELECT id, source, name, sha256, bytes, imported_at, lines, events FROM traces WHERE id = @id", new { id })
            : conn.QueryFirstOrDefault<TraceInfo>("SELECT id, source, name, sha256, bytes, imported_at, lines, events FROM traces ORDER BY id DESC LIMIT 1");
        return trace ?? throw new StoreException(traceId is { } missing
            ? $"there is no trace {missing} in this database (see 'pmanalyze traces')"
            : "the database holds no trace yet: run 'pmanalyze import LOG' first");
    }

    public static ReportTable List(SqliteConnection conn) => ReportSql.Run(conn, "Traces",
        "SELECT id, name, source, imported_at, lines, events, unparsed_lines, sha256, input_problem IS NULL AS input_complete FROM traces ORDER BY id",
        [ReportSql.Int("id"), ReportSql.Text("name"), ReportSql.Text("source"), ReportSql.Text("imported_at"), ReportSql.Int("lines"),
         ReportSql.Int("events"), ReportSql.Int("unparsed_lines"), ReportSql.Text("sha256"), ReportSql.Bool("input_complete")],
        new Dictionary<string, object?>()) with { DropFirst = ["source", "sha256", "unparsed_lines", "imported_at", "events"] };
}
