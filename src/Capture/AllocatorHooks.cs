namespace PyMemTrace.Capture;

/// <summary>
/// Where an interpreter's allocator debug hooks are (toolkit/py_allocators.py): the file, the file offsets of the
/// malloc, calloc, realloc and free hooks of a domain, and the domain's context. The object and raw programs probe
/// them because release builds inline the allocator itself (see toolkit/README.md).
/// </summary>
public sealed record AllocatorHooks(string File, string Malloc, string Calloc, string Realloc, string Free, string Context)
{
    /// <summary>PYTHONMALLOC values that put the debug hooks in place.</summary>
    public static readonly string[] DebugSettings = ["debug", "pymalloc_debug", "malloc_debug"];

    public static AllocatorHooks Find(string interpreter, string domain)
    {
        var script = Toolkit.File("py_allocators.py");
        var r = Tools.Run(interpreter, [script, domain], new Dictionary<string, string> { ["PYTHONMALLOC"] = "debug" });
        var words = r.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (r.ExitCode != 0 || words.Length != 6)
            throw new CaptureException($"cannot find the allocator hooks of {interpreter}: {Tools.FirstError(r.Stderr + r.Stdout)}");
        return new AllocatorHooks(words[0], words[1], words[2], words[3], words[4], words[5]);
    }

    /// <summary>Whether a running process was started with the debug hooks (its PYTHONMALLOC).</summary>
    public static bool ProcessHasHooks(int pid)
    {
        try
        {
            var environ = System.IO.File.ReadAllText($"/proc/{pid}/environ").Split('\0');
            return environ.Any(e => DebugSettings.Any(d => e == "PYTHONMALLOC=" + d));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
