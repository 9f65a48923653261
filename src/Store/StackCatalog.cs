using System.Runtime.InteropServices;

namespace PyMemTrace.Store;

/// <summary>A call stack first seen in this trace, to be stored in `stacks`: file and function as numbers of the trace's <see cref="NameTable"/>.</summary>
internal readonly record struct NewStack(long Id, long ParentId, int File, int Function, int Depth);

/// <summary>
/// Follows each pid's Python call stack through CALL/RTN flow lines (and takes the native stacks printed with events)
/// and interns stacks as a tree
/// (a stack is its top frame plus its parent stack: keyed by (parent, file, function), names as numbers),
/// so an event stores one stack id and memory follows the distinct stacks, not the flow lines. Ids are given from
/// <paramref name="firstId"/> on; each new stack is handed to <paramref name="onNew"/> to be stored.
/// </summary>
internal sealed class StackCatalog(long firstId, Action<NewStack> onNew)
{
    readonly Dictionary<(long Parent, int File, int Function), long> _ids = new();
    readonly Dictionary<int, List<Frame>> _stackOfPid = new();
    long _nextId = firstId;

    /// <summary>A frame of a pid's current stack: the stack up to it, and its function (what a return names).</summary>
    readonly record struct Frame(long Stack, int Function);

    public void Call(int pid, int file, int function)
    {
        var stack = StackOf(pid);
        stack.Add(new Frame(Child(stack.Count == 0 ? 0 : stack[^1].Stack, stack.Count + 1, file, function), function));
    }

    /// <summary>The id of a whole stack printed with an event (a native stack), frames root first: the same tree.</summary>
    public long Intern(IReadOnlyList<(int File, int Function)> rootFirst)
    {
        long id = 0;
        for (int i = 0; i < rootFirst.Count; i++) id = Child(id, i + 1, rootFirst[i].File, rootFirst[i].Function);
        return id;
    }

    long Child(long parent, int depth, int file, int function)
    {
        ref long id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, (parent, file, function), out bool known);
        if (!known)
        {
            id = _nextId++;
            onNew(new NewStack(id, parent, file, function, depth));
        }
        return id;
    }

    /// <summary>
    /// Leaves the innermost frame of that function and the frames above it (their returns were not printed).
    /// A return with no such frame on the stack (tracing began inside it, or lines were lost) changes nothing.
    /// </summary>
    public void Return(int pid, int function)
    {
        var stack = StackOf(pid);
        for (int i = stack.Count - 1; i >= 0; i--)
        {
            if (stack[i].Function != function) continue;
            stack.RemoveRange(i, stack.Count - i);
            return;
        }
    }

    /// <summary>The pid's current stack, or 0 when no flow line has been seen for it.</summary>
    public long Current(int pid) => _stackOfPid.TryGetValue(pid, out var s) && s.Count > 0 ? s[^1].Stack : 0;

    List<Frame> StackOf(int pid)
    {
        if (!_stackOfPid.TryGetValue(pid, out var s)) _stackOfPid[pid] = s = new List<Frame>();
        return s;
    }
}
