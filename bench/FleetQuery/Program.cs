// Runs docs/export.md's fleet query ("leaked bytes per site across N runs") with DuckDB over runs/*/leaks.parquet
// and prints its time, the number of runs it read and the top rows, so bench/fleet.sh can report them.
using System.Diagnostics;
using DuckDB.NET.Data;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: FleetQuery RUNS_DIR   (reads RUNS_DIR/*/leaks.parquet)");
    return 2;
}
string glob = Path.Combine(Path.GetFullPath(args[0]), "*", "leaks.parquet").Replace("'", "''");
string sql = $"""
    SELECT file, line, function,
           count(DISTINCT trace_sha256) AS runs_leaking,
           sum(size) AS leaked_bytes,
           sum(size) / count(DISTINCT trace_sha256) AS bytes_per_leaking_run
    FROM read_parquet('{glob}', filename = true)
    GROUP BY ALL ORDER BY leaked_bytes DESC LIMIT 5
    """;

using var duck = new DuckDBConnection("Data Source=:memory:");
duck.Open();
var clock = Stopwatch.StartNew();
using var cmd = duck.CreateCommand();
cmd.CommandText = sql;
var rows = new List<string>();
using (var reader = cmd.ExecuteReader())
    while (reader.Read())
        rows.Add($"{reader.GetValue(0)}:{reader.GetValue(1)} {reader.GetValue(2)}  runs {reader.GetValue(3)}  leaked {reader.GetValue(4)} B");
double seconds = clock.Elapsed.TotalSeconds;
cmd.CommandText = $"SELECT count(DISTINCT trace_sha256), count(*) FROM read_parquet('{glob}')";
using (var reader = cmd.ExecuteReader())
{
    reader.Read();
    Console.WriteLine($"  DuckDB fleet query: {seconds:F2} s over {reader.GetValue(0)} runs ({reader.GetValue(1)} leaked blocks)");
}
foreach (var row in rows) Console.WriteLine("    " + row);
return 0;
