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
        }
        stack.Add(id);
    }

    public void Return(int pid)
    {
        var stack = StackOf(pid);
        if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
    }

    /// <summary>The pid's current stack, or null when no flow line has been seen for it.</summary>
    public long? Current(int pid) => _stackOfPid.TryGetValue(pid, out var s) && s.Count > 0 ? s[^1] : null;

    List<long> StackOf(int pid)
    {
        if (!_stackOfPid.TryGetValue(pid, out var s)) _stackOfPid[pid] = s = new List<long>();
        return s;
    }
}
