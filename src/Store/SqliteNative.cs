using System.Runtime.InteropServices;

namespace PyMemTrace.Store;

/// <summary>
/// Direct calls into the SQLite library that Microsoft.Data.Sqlite loads (e_sqlite3), for the one statement run once per
/// event: binding a value is a few nanoseconds this way, against tens through the general wrappers. Binds and reset
/// neither block nor call back, so they skip the GC transition; step does I/O and keeps it.
/// </summary>
internal static unsafe partial class SqliteNative
{
    const string Library = "e_sqlite3";
    public const int RowReady = 100, Done = 101;

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64"), SuppressGCTransition]
    public static partial int BindInt64(nint stmt, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null"), SuppressGCTransition]
    public static partial int BindNull(nint stmt, int index);

    /// <summary>Text that outlives the statement (pinned or static UTF-8): bound with SQLITE_STATIC, no copy.</summary>
    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text"), SuppressGCTransition]
    public static partial int BindStaticText(nint stmt, int index, byte* utf8, int length, nint destructor = 0);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(nint stmt);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64"), SuppressGCTransition]
    public static partial long ColumnInt64(nint stmt, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type"), SuppressGCTransition]
    public static partial int ColumnType(nint stmt, int column);

    public const int Null = 5;   // SQLITE_NULL, a column type

    [LibraryImport(Library, EntryPoint = "sqlite3_reset"), SuppressGCTransition]
    public static partial int Reset(nint stmt);
}
