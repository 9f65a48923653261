using System.CommandLine;
using Microsoft.Data.Sqlite;
using PyMemTrace.Reports.Queries;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>query "SQL": the user's own SELECT over the documented schema, on a read-only connection.</summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "A SELECT over the tables and views of docs/schema.md" };
        var db = CommonOptions.Db();
        var format = CommonOptions.Format();
        var bytes = CommonOptions.Bytes();
        var trace = CommonOptions.Trace();
        trace.Description = "The trace $trace stands for in the SQL: its id or name (default: the latest import)";
        var cmd = new Command("query", "Run ad-hoc SQL over the store (read-only); $trace in the SQL is the --trace's id") { sql, db, format, bytes, trace };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            try
            {
                string text = pr.GetValue(sql)!;
                // only SQL that names $trace needs a trace: a query over an empty database still runs
                long? traceId = AdHocQuery.UsesTrace(text) || pr.GetResult(trace) is not null ? TraceCatalog.ResolveIdOrName(conn, pr.GetValue(trace)).Id : null;
                var table = AdHocQuery.Run(conn, text, traceId);
                Renderers.ForFormat(pr.GetValue(format)!, Terminal.Style(pr.GetValue(bytes)))!.Render(table, Console.Out);
                return 0;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 8)
            {
                throw new StoreException("query refused: the database is opened read-only for queries, so SQL that writes cannot run");
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 1 or 14 or 19 or 20 or 23 or 25)
            {
                // "SQLite Error 1: 'no such table: x'." reads better as "SQL error: no such table: x"
                var message = System.Text.RegularExpressions.Regex.Replace(Database.FirstLine(e.Message), @"^SQLite Error \d+: '?(.*?)'?\.?$", "$1");
                throw new StoreException("SQL error: " + message);
            }
        }, pr.GetValue(db)!));
        return cmd;
    }
}
