using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// The names given to runs with import --name: one trace per name in a database, so that --trace NAME means one run.
/// A name is never all digits (--trace 3 is trace id 3).
/// </summary>
public static class RunNames
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="name"/> cannot name a run; null when it can.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0 || string.IsNullOrWhiteSpace(name)) return "a run's name cannot be empty";
        if (name.Length > MaxLength) return $"a run's name is at most {MaxLength} characters";
        if (name.All(char.IsAsciiDigit)) return $"'{name}' is all digits, which --trace reads as a trace id: add a letter";
        if (name.Any(char.IsControl)) return "a run's name cannot hold control characters";
        return null;
    }

    /// <summary>Refuses a name another trace already has, before any work.</summary>
    internal static void RefuseTaken(SqliteConnection conn, string name)
    {
        if (Problem(name) is { } problem) throw new StoreException(problem);
        using var find = new PreparedStatement(conn, "SELECT id FROM traces WHERE run_name = ?1");
        if (find.Bind(1, name).Read())
            throw new StoreException($"trace {find.Int64(0)} is already named '{name}' (see 'pmanalyze traces'): choose another name (if it is this same log, it is imported already)");
    }

    /// <summary>Names a trace that was already imported (a duplicate of the log) unless it has another name.</summary>
    internal static ImportResult Give(SqliteConnection conn, ImportResult known, string? name)
    {
        if (name is null) return known;
        using (var current = new PreparedStatement(conn, "SELECT run_name FROM traces WHERE id = ?1"))
            if (current.Bind(1, known.TraceId).Read() && current.Text(0) is { } other && other != name)
                throw new StoreException($"this log is already imported as trace {known.TraceId}, named '{other}': use --trace {other}, or --force to import it again as '{name}'");
        using var update = new PreparedStatement(conn, "UPDATE traces SET run_name = ?1 WHERE id = ?2");
        update.Bind(1, name).Bind(2, known.TraceId).Run();
        return known;
    }
}
