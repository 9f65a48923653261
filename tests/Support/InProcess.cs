using Microsoft.Data.Sqlite;
using PyMemTrace.Reports;
using PyMemTrace.Store;

namespace PyMemTrace.Tests.Support;

/// <summary>Imports and reads back without a process: for tests that look at many reports of one log.</summary>
public static class InProcess
{
    public static ImportResult Import(string db, string log, bool force = false) => TraceImporter.Import(db, log, force);

    public static SqliteConnection Read(string db) => Database.OpenReadOnly(db);

    /// <summary>A report table as JSON, exactly as `--format json` writes it.</summary>
    public static System.Text.Json.Nodes.JsonNode Json(ReportTable table)
    {
        var w = new StringWriter();
        new PyMemTrace.Reports.Rendering.JsonRenderer().Render(table, w);
        return System.Text.Json.Nodes.JsonNode.Parse(w.ToString())!;
    }
}
