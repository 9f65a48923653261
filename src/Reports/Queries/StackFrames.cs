using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The frames of stored call stacks, root first, each 'file:function' as the view stack_paths writes them (';' in a
/// name becomes ':'), by walking up the parents; each path built once. Only the stacks asked for and their ancestors
/// are read (one recursive query for all those the constructor is given), not the whole table, which holds every
/// trace's stacks.
/// </summary>
internal sealed class StackFrames
{
    readonly SqliteConnection _conn;
    readonly Dictionary<long, (long? Parent, string Frame)> _frames = new();
    readonly Dictionary<long, string> _paths = new();

    public StackFrames(SqliteConnection conn, IEnumerable<long> wanted)
    {
        _conn = conn;
        Load(wanted);
    }

    /// <summary>The stack's frames root first joined by ';' (the parent's path, memoised, and the top frame).</summary>
    public string PathOf(long stackId)
    {
        if (stackId == 0) return StackReports.NoStack;
        if (_paths.TryGetValue(stackId, out var known)) return known;
        var f = Frame(stackId);
        return _paths[stackId] = f.Parent is { } p ? PathOf(p) + ";" + f.Frame : f.Frame;
    }

    /// <summary>The allocation's own site, the leaf under its stack: 'file:function:line'.</summary>
    public static string Leaf(string file, long line, string function) => $"{file}:{function}:{line}".Replace(';', ':');

    (long? Parent, string Frame) Frame(long id)
    {
        if (!_frames.ContainsKey(id)) Load([id]);
        return _frames.TryGetValue(id, out var f) ? f : throw new InvalidOperationException($"stack {id} is not in the stacks table");
    }

    void Load(IEnumerable<long> ids)
    {
        var wanted = ids.Where(id => id != 0 && !_frames.ContainsKey(id)).Distinct().ToList();
        if (wanted.Count == 0) return;
        using var cmd = _conn.CreateCommand();
        cmd.CommandText = """
            WITH RECURSIVE up(id) AS (
                SELECT value FROM json_each($ids)
                UNION SELECT s.parent_id FROM stacks s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL)
            SELECT s.id, s.parent_id, s.file, s.function FROM stacks s JOIN up ON s.id = up.id
            """;
        cmd.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(wanted));
        using var r = cmd.ExecuteReader();
        while (r.Read()) _frames[r.GetInt64(0)] = (r.IsDBNull(1) ? null : r.GetInt64(1), (r.GetString(2) + ":" + r.GetString(3)).Replace(';', ':'));
    }
}

/// <summary>A folded path's frames, split only when a renderer lists them (JSON, CSV): a table of 100 000 stacks stays small.</summary>
public sealed class FrameList(string path) : IEnumerable<object?>
{
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)path.Split(';')).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
