using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Input;
using SQLitePCL;

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
    /// <exception cref="StoreException">The database cannot be opened or written (a full disk: rolled back, and the message names the file system).</exception>
    /// <exception cref="ImportInterruptedException"><paramref name="cancel"/> was set (Ctrl-C): the import was rolled back.</exception>
    /// <param name="runName">The run's name (import --name), unique in the database; a duplicate that has no name yet takes it.</param>
    public static ImportResult Import(string dbPath, string source, bool force, IProgress<ImportProgress>? progress = null,
        CancellationToken cancel = default, string? runName = null)
    {
        var clock = Stopwatch.StartNew();
        using var input = TraceInput.Open(source);
        try
        {
            using var conn = Database.OpenForWrite(dbPath);
            // Stops the statement running on the writer thread at once (an index build, the leak marking); the
            // pipeline and the steps between statements watch the token. Disposed before the connection closes.
            using var interrupt = cancel.Register(() => raw.sqlite3_interrupt(conn.Handle));
            try
            {
                if (!force && MayBeKnown(conn, input) && PlainFileHash(source, input, cancel) is { } early && FindTrace(conn, early) is { } known)
                    return RunNames.Give(conn, Duplicate(known, clock), runName);
                if (runName is not null) RunNames.RefuseTaken(conn, runName);
                var result = ImportInto(conn, source, input, force, clock, progress, cancel, runName);
                return result.Duplicate ? RunNames.Give(conn, result, runName) : result;
            }
            catch (SqliteException e) when (!cancel.IsCancellationRequested)
            {
                throw Database.Explain(e, dbPath);
            }
        }
        catch (Exception e) when (e is not TraceInputException)
        {
            // The transaction was rolled back as it unwound and the connection is closed. A rollback that could not
            // finish (a full disk can put SQLite's pager in its error state) leaves the journal: played back now,
            // so the next read-only report is not refused.
            bool journalLeft = TryRollBack(dbPath);
            if (cancel.IsCancellationRequested) throw new ImportInterruptedException(e);
            if (e is StoreException { InnerException: SqliteException { SqliteErrorCode: 13 } } full)
                throw new StoreException(full.Message + (journalLeft
                    ? ": the import could not be rolled back yet; the next pmanalyze command on the database does it"
                    : ": the import was rolled back, the database is as it was"), e);
            throw;
        }
    }

    /// <summary>Plays back a journal the failed import left; false when none is left, true when one still is.</summary>
    static bool TryRollBack(string dbPath)
    {
        try
        {
            Database.RollBackInterruptedImport(dbPath);
        }
        catch (StoreException)
        {
            // the import's own failure is the one to report; the next command says what to do about the journal
        }
        return Database.MayBeHot(FileSystems.Resolved(dbPath) + "-journal");
    }

    static ImportResult ImportInto(SqliteConnection conn, string source, Stream input, bool force, Stopwatch clock,
        IProgress<ImportProgress>? progress, CancellationToken cancel, string? runName)
    {
        using var tx = ImportTuning.Begin(conn);
        long traceId;
        using (var insert = new PreparedStatement(conn,
                   """
                   INSERT INTO traces(source, name, sha256, bytes, imported_at, lines, events, flow_lines, notes, unparsed_lines, aggregations, tool_version, run_name)
                   VALUES (?1, ?2, '', 0, ?3, 0, 0, 0, 0, 0, 0, ?4, ?5) RETURNING id
                   """))
            traceId = insert.Bind(1, source).Bind(2, source == TraceInput.StandardInput ? "stdin" : Path.GetFileName(source))
                .Bind(3, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))
                .Bind(4, ToolVersion).Bind(5, runName).Scalar()!.Value;
        var lines = new LineReader(input);
        using var writer = new TraceWriter(conn, tx, traceId);
        ImportPipeline.Outcome run;
        using (ImportProgress.Every(progress, lines, input, clock))
            run = ImportPipeline.Run(lines, writer, cancel);
        cancel.ThrowIfCancellationRequested();
        long indexStarted = Stopwatch.GetTimestamp();
        writer.Finish(run.Accounting);
        cancel.ThrowIfCancellationRequested();
        var timings = new ImportTimings(run.Read, run.Parse, run.Store, Stopwatch.GetElapsedTime(indexStarted), clock.Elapsed,
            run.ReaderCpu, run.WriterCpu);
        string? problem = InputProblem(lines.Problem, run.EndedInsideBlock, run.UnendedBlockLine);
        string hash = lines.ContentHash();
        if (!force && FindTrace(conn, hash) is { } known)
        {
            tx.Rollback();
            return Duplicate(known, clock);
        }
        using (var update = new PreparedStatement(conn,
                   """
                   UPDATE traces SET sha256 = ?1, bytes = ?2, lines = ?3, events = ?4, flow_lines = ?5, notes = ?6, unparsed_lines = ?7,
                          aggregations = ?8, input_problem = ?10 WHERE id = ?9
                   """))
            update.Bind(1, hash).Bind(2, lines.ByteCount).Bind(3, lines.LineCount).Bind(4, writer.Events).Bind(5, writer.FlowLines)
                .Bind(6, writer.Notes).Bind(7, writer.Unparsed).Bind(8, writer.Aggregations).Bind(9, traceId).Bind(10, problem).Run();
        cancel.ThrowIfCancellationRequested(); // the last moment: after the commit the trace is stored
        tx.Commit();
        return new ImportResult(traceId, false, lines.LineCount, lines.ByteCount, writer.Events, writer.FlowLines, writer.Notes,
            writer.Unparsed, writer.Aggregations, clock.Elapsed, timings with { Total = clock.Elapsed }, problem);
    }

    /// <summary>What keeps the trace from being whole, in words for the user; null when nothing does.</summary>
    static string? InputProblem(string? readProblem, bool endedInsideBlock, long? unendedBlockLine)
    {
        const string leaks = "so blocks still live at its end need not be leaks";
        var problems = new List<string>();
        if (readProblem is not null) problems.Add(readProblem);
        if (endedInsideBlock) problems.Add($"the log stops before dtrace:::END: the trace was cut short, {leaks}");
        if (unendedBlockLine is { } line)
            problems.Add($"the dtrace:::BEGIN of line {line} has no dtrace:::END before the next dtrace:::BEGIN: that run was cut short, {leaks}");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    static ImportResult Duplicate(TraceRow known, Stopwatch clock) =>
        new(known.Id, true, known.Lines, known.Bytes, known.Events, 0, 0, known.UnparsedLines, 0, clock.Elapsed, InputProblem: known.InputProblem);

    sealed record TraceRow(long Id, long Lines, long Bytes, long Events, long UnparsedLines, string? InputProblem);

    static TraceRow? FindTrace(SqliteConnection conn, string hash)
    {
        using var find = new PreparedStatement(conn,
            "SELECT id, lines, bytes, events, unparsed_lines, input_problem FROM traces WHERE sha256 = ?1 ORDER BY id LIMIT 1");
        find.Bind(1, hash);
        return find.Read()
            ? new TraceRow(find.Int64(0)!.Value, find.Int64(1)!.Value, find.Int64(2)!.Value, find.Int64(3)!.Value, find.Int64(4)!.Value, find.Text(5))
            : null;
    }

    /// <summary>
    /// Whether a plain file may hold content imported before: only a trace of the same size can, so the read-ahead hash
    /// (a whole pass over the file before the import can start) is skipped otherwise. The hash taken while reading
    /// still finds any duplicate at the end.
    /// </summary>
    static bool MayBeKnown(SqliteConnection conn, Stream input)
    {
        if (input is not FileStream file) return false;
        using var sameSize = new PreparedStatement(conn, "SELECT EXISTS (SELECT 1 FROM traces WHERE bytes = ?1)");
        return sameSize.Bind(1, file.Length).Scalar() == 1;
    }

    /// <summary>The hash of an uncompressed regular file, read ahead so a re-import is refused without parsing.</summary>
    static string? PlainFileHash(string source, Stream input, CancellationToken cancel)
    {
        if (input is not FileStream file) return null;
        var hash = Convert.ToHexStringLower(SHA256.HashDataAsync(file, cancel).AsTask().GetAwaiter().GetResult());
        file.Position = 0;
        return hash;
    }
}
