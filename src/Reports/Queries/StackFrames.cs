using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The frames of stored call stacks, root first, each 'file:function' as the view stack_paths writes them (';' in a
/// name becomes ':'), by walking up the parents; each path built once.
/// </summary>
internal sealed class StackFrames(SqliteConnection conn)
{
    readonly Dictionary<long, (long? Parent, string Frame)> _frames = new();
    readonly Dictionary<long, string> _paths = new();

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

    /// <summary>The first look-up reads every stack in one scan: a report may need a hundred thousand of them.</summary>
    (long? Parent, string Frame) Frame(long id)
    {
        if (_frames.Count == 0)
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT id, parent_id, file, function FROM stacks";
            using var r = cmd.ExecuteReader();
            while (r.Read()) _frames[r.GetInt64(0)] = (r.IsDBNull(1) ? null : r.GetInt64(1), (r.GetString(2) + ":" + r.GetString(3)).Replace(';', ':'));
        }
        return _frames.TryGetValue(id, out var f) ? f : throw new InvalidOperationException($"stack {id} is not in the stacks table");
    }

}

/// <summary>A folded path's frames, split only when a renderer lists them (JSON, CSV): a table of 100 000 stacks stays small.</summary>
public sealed class FrameList(string path) : IEnumerable<object?>
{
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)path.Split(';')).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
