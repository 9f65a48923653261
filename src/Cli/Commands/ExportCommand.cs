using System.CommandLine;
using PyMemTrace.Reports.Export;
using PyMemTrace.Store;

namespace PyMemTrace.Cli.Commands;

/// <summary>export --format parquet --out DIR: the store's tables as Parquet files for DuckDB, Spark or pandas.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var format = new Option<string>("--format") { Description = "Export format (parquet)", DefaultValueFactory = _ => "parquet" };
        format.AcceptOnlyFromAmong("parquet");
        var output = new Option<string>("--out") { Description = "Directory to write TABLE.parquet files into", Required = true };
        var trace = new Option<string>("--trace") { Description = "Export only this trace, by id or name (default: every trace in the database)" };
        var force = new Option<bool>("--force") { Description = "Replace an export of other runs that is already in the directory" };
        var cmd = new Command("export", $"Write the store as Parquet files ({string.Join(", ", ParquetExport.TableNames)})") { db, format, output, trace, force };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            // a missing trace is an error, not empty files
            long? id = pr.GetValue(trace) is { } wanted ? Reports.Queries.TraceCatalog.ResolveIdOrName(conn, wanted).Id : null;
            string dir = pr.GetValue(output)!;
            if (string.IsNullOrWhiteSpace(dir)) throw new UsageException("--out needs a directory name");
            if (File.Exists(dir)) throw new UsageException($"'{dir}' is a file; --out names a directory");
            RefuseToReplaceOtherRuns(conn, dir, id, pr.GetValue(force));
            foreach (var (table, rows, path) in ParquetExport.Write(conn, dir, id))
                Console.WriteLine($"{table,-13} {rows,10} {(rows == 1 ? "row " : "rows")}  {Reports.Rendering.TerminalText.Visible(path)}");
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }

    // A folder of a fleet's exports (runs/RUN/) must not lose a run because a second export named the same folder.
    static void RefuseToReplaceOtherRuns(Microsoft.Data.Sqlite.SqliteConnection conn, string dir, long? trace, bool force)
    {
        if (force || ParquetExport.RunsAlreadyIn(dir) is not { } present) return;
        var wanted = ParquetExport.RunsToWrite(conn, trace);
        int lost = present.Count == 0 ? 1 : present.Except(wanted).Count(); // an empty or foreign traces.parquet: not ours to replace
        if (lost == 0) return; // the same runs again (or more): an update that loses none
        throw new UsageException(
            $"'{dir}' already holds an export of {(present.Count == 0 ? "something else" : $"{lost} other run{(lost == 1 ? "" : "s")}")}; " +
            "export each run into its own folder, or add --force to replace it");
    }
}
