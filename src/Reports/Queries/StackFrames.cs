using Microsoft.Data.Sqlite;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// The frames of stored call stacks, root first, each 'file:function' as the view stack_paths writes them (';' in a
/// name becomes ':'), read by walking up the parents: only the stacks a report needs, each frame once.
/// </summary>
internal sealed class StackFrames(SqliteConnection conn) : IDisposable
{
    readonly Dictionary<long, (long? Parent, string Frame)> _frames = new();
    readonly Dictionary<long, IReadOnlyList<string>> _paths = new();
    SqliteCommand? _lookup;

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

    (long? Parent, string Frame) Frame(long id)
    {
        if (_frames.TryGetValue(id, out var f)) return f;
        if (_lookup is null)
        {
            _lookup = conn.CreateCommand();
            _lookup.CommandText = "SELECT parent_id, file, function FROM stacks WHERE id = $id";
            _lookup.Parameters.Add("$id", SqliteType.Integer);
        }
        _lookup.Parameters[0].Value = id;
        using var r = _lookup.ExecuteReader();
        if (!r.Read()) throw new InvalidOperationException($"stack {id} is not in the stacks table");
        f = (r.IsDBNull(0) ? null : r.GetInt64(0), (r.GetString(1) + ":" + r.GetString(2)).Replace(';', ':'));
        return _frames[id] = f;
    }

    public void Dispose() => _lookup?.Dispose();
}
