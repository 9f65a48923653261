using SQLitePCL;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// SQLite's authorizer for the user's SQL: while a statement compiles, every action it would take is allowed only if it
/// reads (a table, a view, a function, a recursive CTE, a pragma that only reports). The read-only connection already
/// stops writes to the file; this also stops what changes the connection or reaches outside it: ATTACH, pragmas that set
/// (writable_schema, query_only, journal_mode...), transactions, temporary tables and views.
/// </summary>
internal sealed class ReadOnlyAuthorizer : IDisposable
{
    const int Ok = 0, Deny = 1;
    const int Pragma = 19, Read = 20, Select = 21, Transaction = 22, Attach = 24, Detach = 25, Function = 31, Savepoint = 32, Recursive = 33;

    /// <summary>Pragmas that report and change nothing, whatever their argument (a table or index name, a row limit).</summary>
    static readonly HashSet<string> ReportingPragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list", "foreign_key_check",
        "integrity_check", "quick_check", "collation_list", "function_list", "module_list", "pragma_list", "compile_options", "database_list",
    };

    /// <summary>Pragmas that report when asked without a value, and set something when given one.</summary>
    static readonly HashSet<string> ReportingWithoutValue = new(StringComparer.OrdinalIgnoreCase)
    {
        "page_count", "page_size", "freelist_count", "user_version", "schema_version", "application_id", "encoding", "data_version",
    };

    readonly sqlite3 _db;

    /// <summary>The first action refused, in words ("ATTACH", "PRAGMA writable_schema"); null while all were reads.</summary>
    public string? Refused { get; private set; }

    public ReadOnlyAuthorizer(sqlite3 db)
    {
        _db = db;
        raw.sqlite3_set_authorizer(db, Authorize, null);
    }

    int Authorize(object userData, int action, string? first, string? second, string? database, string? view)
    {
        string? refused = action switch
        {
            Read or Select or Function or Recursive => null,
            Pragma when first is not null && (ReportingPragmas.Contains(first) || (second is null && ReportingWithoutValue.Contains(first))) => null,
            Pragma => $"PRAGMA {first}" + (second is null ? "" : " with a value"),
            Attach => "ATTACH",
            Detach => "DETACH",
            Transaction => "a transaction",
            Savepoint => "a savepoint",
            9 or 18 or 23 when first?.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase) == true => "a change to the schema (CREATE, DROP or ALTER)",
            >= 1 and <= 8 or 29 => "CREATE",
            >= 10 and <= 17 or 30 => "DROP",
            9 => "DELETE",
            18 => "INSERT",
            23 => "UPDATE",
            26 => "ALTER TABLE",
            _ => $"SQLite action {action}",
        };
        if (refused is null) return Ok;
        Refused ??= refused;
        return Deny;
    }

    public void Dispose() => raw.sqlite3_set_authorizer(_db, (strdelegate_authorizer?)null, null);
}
