using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The frames of stored call stacks, root first, each 'file:function' as the view stack_paths writes them (';' in a
/// name becomes ':'), by walking up the parents; each path built once.
/// </summary>
internal sealed class StackFrames(SqliteConnection conn)
{
    readonly Dictionary<long, (long? Parent, string Frame)> _frames = new();
    readonly Dictionary<long, IReadOnlyList<string>> _paths = new();

    public IReadOnlyList<string> Of(long stackId)
    {
        if (stackId == 0) return [StackReports.NoStack];
        if (_paths.TryGetValue(stackId, out var known)) return known;
        var frames = new List<string>();
        for (long? id = stackId; id is { } i;)
        {
            var f = Frame(i);
            frames.Add(f.Frame);
            id = f.Parent;
        }
        frames.Reverse();
        return _paths[stackId] = frames;
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
