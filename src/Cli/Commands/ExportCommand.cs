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
        var trace = new Option<long?>("--trace") { Description = "Export only this trace (default: every trace in the database)" };
        var cmd = new Command("export", $"Write the store as Parquet files ({string.Join(", ", ParquetExport.TableNames)})") { db, format, output, trace };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            using var conn = Database.OpenReadOnly(pr.GetValue(db)!);
            if (pr.GetValue(trace) is { } id) Reports.Queries.TraceCatalog.Resolve(conn, id); // a missing trace is an error, not empty files
            string dir = pr.GetValue(output)!;
            if (string.IsNullOrWhiteSpace(dir)) throw new UsageException("--out needs a directory name");
            if (File.Exists(dir)) throw new UsageException($"'{dir}' is a file; --out names a directory");
            foreach (var (table, rows, path) in ParquetExport.Write(conn, dir, pr.GetValue(trace)))
                Console.WriteLine($"{table,-13} {rows,10} rows  {Reports.Rendering.TerminalText.Visible(path)}");
            return 0;
        }, pr.GetValue(db)!));
        return cmd;
    }
}
