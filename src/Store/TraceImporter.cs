using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Input;

namespace PyMemTrace.Store;

/// <summary>
/// Imports one log into the database in a single transaction: either the whole trace is stored or nothing is.
/// The same content (by SHA-256) is imported once unless forced.
/// </summary>
public static class TraceImporter
{
    public static string ToolVersion =>
        typeof(TraceImporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <exception cref="TraceInputException">The log cannot be read.</exception>
    /// <exception cref="StoreException">The database cannot be opened or written.</exception>
    public static ImportResult Import(string dbPath, string source, bool force, IProgress<ImportProgress>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        using var input = TraceInput.Open(source);
        using var conn = Database.OpenForWrite(dbPath);
        try
        {
            if (!force && MayBeKnown(conn, input) && PlainFileHash(source, input) is { } early && FindTrace(conn, early) is { } known)
                return Duplicate(known, clock);
            return ImportInto(conn, source, input, force, clock, progress);
        }
        catch (SqliteException e)
        {
            throw Database.Explain(e, dbPath);
        }
    }

    static ImportResult ImportInto(SqliteConnection conn, string source, Stream input, bool force, Stopwatch clock,
        IProgress<ImportProgress>? progress)
    {
        ImportTuning.Apply(conn);
        using var tx = conn.BeginTransaction();
        long traceId = conn.ExecuteScalar<long>(
            """
            INSERT INTO traces(source, name, sha256, bytes, imported_at, lines, events, flow_lines, notes, unparsed_lines, aggregations, tool_version)
            VALUES (@source, @name, '', 0, @at, 0, 0, 0, 0, 0, 0, @version) RETURNING id
            """,
            new { source, name = source == TraceInput.StandardInput ? "stdin" : Path.GetFileName(source), at = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), version = ToolVersion },
            tx);
        var lines = new LineReader(input);
        using var writer = new TraceWriter(conn, tx, traceId);
        ImportPipeline.Outcome run;
        using (ImportProgress.Every(progress, lines, input, clock))
            run = ImportPipeline.Run(lines, writer);
        long indexStarted = Stopwatch.GetTimestamp();
        writer.Finish(run.Accounting);
        var timings = new ImportTimings(run.Read, run.Parse, run.Store, Stopwatch.GetElapsedTime(indexStarted), clock.Elapsed,
            run.ReaderCpu, run.WriterCpu);
        string hash = lines.ContentHash();
        if (!force && FindTrace(conn, hash, tx) is { } known)
        {
            tx.Rollback();
            return Duplicate(known, clock);
        }
        conn.Execute(
            """
            UPDATE traces SET sha256 = @hash, bytes = @bytes, lines = @lines, events = @events, flow_lines = @flow,
                   notes = @notes, unparsed_lines = @unparsed, aggregations = @aggs WHERE id = @traceId
            """,
            new { hash, bytes = lines.ByteCount, lines = lines.LineCount, events = writer.Events, flow = writer.FlowLines, notes = writer.Notes, unparsed = writer.Unparsed, aggs = writer.Aggregations, traceId },
            tx);
        tx.Commit();
        return new ImportResult(traceId, false, lines.LineCount, lines.ByteCount, writer.Events, writer.FlowLines, writer.Notes,
            writer.Unparsed, writer.Aggregations, clock.Elapsed, timings with { Total = clock.Elapsed });
    }

    static ImportResult Duplicate(TraceRow known, Stopwatch clock) =>
        new(known.Id, true, known.Lines, known.Bytes, known.Events, 0, 0, known.Unparsed_Lines, 0, clock.Elapsed);

    sealed record TraceRow(long Id, long Lines, long Bytes, long Events, long Unparsed_Lines);

    static TraceRow? FindTrace(SqliteConnection conn, string hash, SqliteTransaction? tx = null) =>
        conn.QueryFirstOrDefault<TraceRow>(
            "SELECT id, lines, bytes, events, unparsed_lines FROM traces WHERE sha256 = @hash ORDER BY id LIMIT 1", new { hash }, tx);

    /// <summary>
    /// Whether a plain file may hold content imported before: only a trace of the same size can, so the read-ahead hash
    /// (a whole pass over the file before the import can start) is skipped otherwise. The hash taken while reading
    /// still finds any duplicate at the end.
    /// </summary>
    static bool MayBeKnown(SqliteConnection conn, Stream input) =>
        input is FileStream file && conn.ExecuteScalar<long>("SELECT EXISTS (SELECT 1 FROM traces WHERE bytes = @length)", new { length = file.Length }) == 1;

    /// <summary>The hash of an uncompressed regular file, read ahead so a re-import is refused without parsing.</summary>
    static string? PlainFileHash(string source, Stream input)
    {
        if (input is not FileStream file) return null;
        using var sha = SHA256.Create();
        var hash = Convert.ToHexStringLower(sha.ComputeHash(file));
        file.Position = 0;
        return hash;
    }
}
