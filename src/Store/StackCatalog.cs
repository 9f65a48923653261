using Dapper;
using Microsoft.Data.Sqlite;

namespace PyMemTrace.Store;

/// <summary>
/// Follows each pid's Python call stack through CALL/RTN flow lines and interns stacks as a tree
/// (a stack is its top frame plus its parent stack), so an event stores one stack id.
/// </summary>
internal sealed class StackCatalog(SqliteConnection conn, SqliteTransaction tx)
{
    readonly Dictionary<(long Parent, string File, string Function), long> _ids = new();
    readonly Dictionary<int, List<long>> _stackOfPid = new();
    readonly Dictionary<long, string> _functionOf = new();
    long _nextId = conn.ExecuteScalar<long>("SELECT coalesce(max(id), 0) + 1 FROM stacks", transaction: tx);

    public void Call(int pid, string file, string function)
    {
        var stack = StackOf(pid);
        long parent = stack.Count == 0 ? 0 : stack[^1];
        var key = (parent, file, function);
        if (!_ids.TryGetValue(key, out var id))
        {
            id = _nextId++;
            conn.Execute("INSERT INTO stacks(id, parent_id, file, function, depth) VALUES (@id, @parent, @file, @function, @depth)",
                new { id, parent = parent == 0 ? (long?)null : parent, file, function, depth = stack.Count + 1 }, tx);
            _ids[key] = id;
            _functionOf[id] = function;
        }
        stack.Add(id);
    }

    /// <summary>
    /// Leaves the innermost frame of that function and the frames above it (their returns were not printed).
    /// A return with no such frame on the stack (tracing began inside it, or lines were lost) changes nothing.
    /// </summary>
    public void Return(int pid, string function)
    {
        var stack = StackOf(pid);
        for (int i = stack.Count - 1; i >= 0; i--)
        {
            if (_functionOf[stack[i]] != function) continue;
            stack.RemoveRange(i, stack.Count - i);
            return;
        }
    }

    /// <summary>The pid's current stack, or null when no flow line has been seen for it.</summary>
    public long? Current(int pid) => _stackOfPid.TryGetValue(pid, out var s) && s.Count > 0 ? s[^1] : null;

    List<long> StackOf(int pid)
    {
        if (!_stackOfPid.TryGetValue(pid, out var s)) _stackOfPid[pid] = s = new List<long>();
        return s;
    }
}
