using System.Reflection;
using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>Opens a pmanalyze database, creating the schema when writable, and turns SQLite failures into one-line messages.</summary>
public static class Database
{
    public const string DefaultPath = "pmanalyze.db";
    /// <summary>Raised whenever a table or view changes; a database of another version is refused with a clear message.</summary>
    public const int SchemaVersion = 11;

    /// <summary>Page size of a new database: larger pages make the bulk insert and the full scans of reports cheaper.</summary>
    public const int NewPageSize = 16384;

    // No connection is ever used by two threads at once, so SQLite's per-call connection mutex (taken by every bind and
    // step) is not needed: multi-thread mode. It can only be set before SQLite initialises; later it is refused, harmlessly.
    // The price: every command and statement must be disposed before its connection is used further. One left to the
    // garbage collector is finalized on the finalizer thread, racing the thread that uses the connection: a crash in
    // SQLite (seen: an undisposed command in OpenReadOnly; tests/Store/MultiThreadModeTests.cs guards against it).
    static Database()
    {
        SQLitePCL.Batteries_V2.Init();
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
    }

    /// <summary>Opens for writing, creating the file and schema if needed.</summary>
    public static SqliteConnection OpenForWrite(string path)
    {
        RefuseNoName(path);
        if (Directory.Exists(path)) throw new StoreException($"'{path}' is a directory, not a database");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder)) throw new StoreException($"cannot create database '{path}': folder '{folder}' does not exist");
        var conn = Open(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            EnsureSchema(conn);
            return conn;
        }
        catch (SqliteException e)
        {
            conn.Dispose();
            throw Explain(e, path);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing database read-only: a write through it fails.</summary>
    public static SqliteConnection OpenReadOnly(string path)
    {
        RefuseNoName(path);
        if (Directory.Exists(path)) throw new StoreException($"'{path}' is a directory, not a database");
        if (!File.Exists(path)) throw new StoreException($"no database at '{path}': run 'pmanalyze import LOG' first (or name one with --db)");
        RollBackInterruptedImport(path);
        var conn = Open(path, SqliteOpenMode.ReadOnly);
        try
        {
            using var hasTraces = conn.CreateCommand(); // disposed, never left to the GC: see the static constructor
            hasTraces.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'traces'";
            if (Convert.ToInt64(hasTraces.ExecuteScalar()) == 0)
                throw new StoreException($"'{path}' is an SQLite database but not a pmanalyze one (no traces table)");
            RefuseOtherVersion(StoredVersion(conn) ?? "none", path);
            return conn;
        }
        catch (SqliteException e)
        {
            conn.Dispose();
            throw Explain(e, path);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An import that was killed (SIGKILL, power loss) leaves SQLite's rollback journal next to the database, "hot": it
    /// holds the pages as they were before the import. SQLite rolls it back when a connection that may write opens the
    /// file; a read-only one refuses to read instead ("read-only"). So when a journal is there, the database is opened
    /// for writing for a moment and read: that rolls a hot journal back, and does nothing to the journal of an import
    /// that is still running (its lock says so). Also called after a failed import (a full disk) whose rollback failed.
    /// </summary>
    /// <exception cref="StoreException">A hot journal is there and this user cannot write the file or its folder.</exception>
    public static void RollBackInterruptedImport(string path)
    {
        var journal = FileSystems.Resolved(path) + "-journal";
        if (!MayBeHot(journal)) return;
        try
        {
            using var conn = Open(path, SqliteOpenMode.ReadWrite);
            using var read = conn.CreateCommand(); // disposed, never left to the GC: see the static constructor
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            read.ExecuteScalar();
        }
        catch (Exception e) when ((e as SqliteException ?? e.InnerException as SqliteException) is { } sqlite)
        {
            // read-only (8), cannot open (14), the journal not deletable (10, an I/O error): no right to write here
            if (sqlite.SqliteErrorCode is not (8 or 10 or 14)) throw e as StoreException ?? Explain(sqlite, path);
            throw new StoreException(
                $"'{path}' holds the journal of an interrupted import ('{journal}'), which must be rolled back before the database can be read, " +
                $"and this user cannot write '{path}' or its folder: run 'pmanalyze summary --db {path}' as a user who can (the traces before that import are kept)", e);
        }
    }

    /// <summary>
    /// SQLite's own test, less the lock: a journal that begins with a zero byte was never needed (an import killed
    /// before it first wrote to the database file; SQLite writes the journal's magic only then) and is ignored.
    /// </summary>
    public static bool MayBeHot(string journal)
    {
        try
        {
            using var j = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return j.ReadByte() > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false; // none, unreadable or no usable name: SQLite's open says what is wrong
        }
    }

    // SQLite would open an empty name as a private temporary database: nothing would be kept, or found.
    static void RefuseNoName(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new StoreException("--db needs a file name");
        if (path.Contains('\0')) throw new StoreException($"'{path}' is not a usable file name");
        RefuseSpecialFile(path);
    }

    // A read-only open of a FIFO blocks until some writer comes (forever); /dev/null reads as an empty database.
    static void RefuseSpecialFile(string path)
    {
        var kind = FileKinds.Of(path);
        if (kind is FileKind.Fifo or FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Socket)
            throw new StoreException($"'{path}' is {FileKinds.Describe(kind)}, not a database file: --db names a regular file (or one to create)");
    }

    static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        // A lock held by another process is waited for briefly (DefaultTimeout, in seconds), then reported.
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 2 }.ToString();
        var conn = new SqliteConnection(cs);
        try
        {
            conn.Open();
            return conn;
        }
        catch (SqliteException e)
        {
            conn.Dispose();
            throw Explain(e, path);
        }
    }

    /// <summary>The user's view of an SQLite error on the database at <paramref name="path"/>.</summary>
    public static StoreException Explain(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        5 or 6 => new StoreException($"database '{path}' is locked by another process; try again when it is done", e),
        8 => new StoreException($"database '{path}' is read-only", e),
        14 => new StoreException($"cannot open database '{path}'", e),
        11 or 26 => new StoreException($"'{path}' is not a pmanalyze database (not SQLite, or damaged)", e),
        13 => new StoreException(FileSystems.Full(path, FileSystems.SqliteTempFolder()), e),
        _ => new StoreException($"database '{path}': {FirstLine(e.Message)}", e),
    };

    public static string FirstLine(string message) => message.Split('\n')[0].Trim();

    static void EnsureSchema(SqliteConnection conn)
    {
        if (StoredVersion(conn) is { } stored)
        {
            RefuseOtherVersion(stored, conn.DataSource);
            return;
        }
        // A new file holds nothing to protect yet, so creating the schema need not wait for the disk (fsync); an
        // import then chooses its own setting (ImportTuning.Begin).
        Execute(conn, $"PRAGMA page_size = {NewPageSize}; PRAGMA synchronous = OFF;"); // page_size: only on a database with no table yet
        using var tx = conn.BeginTransaction();
        Execute(conn, SchemaSql(), tx);
        Execute(conn, $"INSERT OR REPLACE INTO schema_info(key, value) VALUES ('version', '{SchemaVersion}');", tx);
        tx.Commit();
    }

    /// <summary>The schema version a database was written with; null for a new, empty database.</summary>
    static string? StoredVersion(SqliteConnection conn)
    {
        using var tables = conn.CreateCommand();
        tables.CommandText = "SELECT count(*), count(*) FILTER (WHERE type = 'table' AND name = 'schema_info') FROM sqlite_master";
        using (var counts = tables.ExecuteReader())
        {
            counts.Read();
            if (counts.GetInt64(0) == 0) return null; // a new database
            if (counts.GetInt64(1) == 0)
                throw new StoreException($"'{conn.DataSource}' is an SQLite database but not a pmanalyze one (no schema_info table)");
        }
        using var version = conn.CreateCommand();
        version.CommandText = "SELECT value FROM schema_info WHERE key = 'version'";
        return version.ExecuteScalar() as string ?? "none";
    }

    static void RefuseOtherVersion(string stored, string path)
    {
        if (stored == SchemaVersion.ToString()) return;
        throw new StoreException(int.TryParse(stored, out var v) && v > SchemaVersion
            ? $"'{path}' was written by a newer pmanalyze (schema {stored}; this one knows {SchemaVersion})"
            : $"'{path}' was written by an older pmanalyze (schema {stored}; this one needs {SchemaVersion}): import the logs again into a new database");
    }

    static string SchemaSql()
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("PyMemTrace.Store.Schema.schema.sql")
                      ?? throw new InvalidOperationException("schema.sql is not embedded");
        return SaturatingSumSql.Expand(new StreamReader(s).ReadToEnd());
    }

    internal static void Execute(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
