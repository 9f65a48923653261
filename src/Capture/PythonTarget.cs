using System.Text.RegularExpressions;

namespace PyMemTrace.Capture;

/// <summary>
/// The Python to trace: <see cref="Interpreter"/> is the executable, <see cref="ProbeFile"/> the file that holds the
/// CPython USDT probes (the executable itself, or the libpython*.so it loads), which the toolkit programs attach to.
/// </summary>
public sealed partial record PythonTarget(string Interpreter, string ProbeFile)
{
    /// <summary>The interpreter a command starts: its first word, found on PATH, or the interpreter of a #! script.</summary>
    public static PythonTarget ForCommand(IReadOnlyList<string> command)
    {
        var program = Tools.OnPath(command[0]) ?? throw new CaptureException($"{command[0]}: no such program (not a file, not on PATH)");
        var binary = FindInterpreter(program, depth: 0);
        var what = Path.GetFullPath(program) == binary ? binary : $"{command[0]} ({binary})";
        return new PythonTarget(binary, ProbeFileOf(binary, LinkedLibraries(binary), what));
    }

    /// <summary>The interpreter a running process runs, and the libpython it mapped.</summary>
    public static PythonTarget ForProcess(int pid)
    {
        string exe;
        try { exe = File.ResolveLinkTarget($"/proc/{pid}/exe", true)?.FullName ?? throw new IOException(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureException($"no process {pid} (or it cannot be read)");
        }
        var mapped = File.ReadLines($"/proc/{pid}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].StartsWith('/')).Select(f => f[5]).Distinct();
        return new PythonTarget(exe, ProbeFileOf(exe, mapped, $"pid {pid} ({exe})"));
    }

    /// <summary>
    /// For --native, which needs no USDT: the program (or the interpreter of a #! script) and, when it has CPython's
    /// probes and bpftrace is there to read them, the file that holds them (else null: native frames only).
    /// </summary>
    public static (string Binary, string? ProbeFile) ForNative(IReadOnlyList<string>? command, int? pid)
    {
        try
        {
            var target = pid is { } p ? ForProcess(p) : ForCommand(command!);
            return (target.Interpreter, target.ProbeFile);
        }
        catch (CaptureException) when (pid is { } p)
        {
            var exe = File.ResolveLinkTarget($"/proc/{p}/exe", true)?.FullName ?? throw new CaptureException($"no process {p}");
            return (exe, null);
        }
        catch (CaptureException) when (command is not null && Tools.OnPath(command[0]) is { } program && IsElf(program))
        {
            return (File.ResolveLinkTarget(program, true)?.FullName ?? program, null);
        }
    }

    static bool IsElf(string path)
    {
        try
        {
            using var f = File.OpenRead(File.ResolveLinkTarget(path, true)?.FullName ?? path);
            Span<byte> head = stackalloc byte[4];
            return f.Read(head) == 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static string FindInterpreter(string program, int depth)
    {
        var real = File.ResolveLinkTarget(program, true)?.FullName ?? program;
        using var f = File.OpenRead(real);
        Span<byte> head = stackalloc byte[256];
        int n = f.Read(head);
        if (n >= 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F') return real;
        if (depth == 0 && n >= 2 && head[0] == (byte)'#' && head[1] == (byte)'!')
        {
            // #!/usr/bin/python3 or #!/usr/bin/env python3: the script's interpreter.
            var words = System.Text.Encoding.UTF8.GetString(head[2..n]).Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0)
            {
                var next = Path.GetFileName(words[0]) == "env" && words.Length > 1 ? Tools.OnPath(words[1]) : words[0];
                if (next is not null && File.Exists(next) && Path.GetFileName(next).StartsWith("python", StringComparison.Ordinal))
                    return FindInterpreter(next, depth + 1);
            }
        }
        throw new CaptureException($"{program} is a script, not a Python executable (a pyenv shim?): give the interpreter itself, e.g. record -- /usr/bin/python3.11 app.py");
    }

    static IEnumerable<string> LinkedLibraries(string binary)
    {
        var ldd = Tools.OnPath("ldd");
        if (ldd is null) return [];
        var r = Tools.Run(ldd, [binary]);
        return LddPath().Matches(r.Stdout).Select(m => m.Groups[1].Value);
    }

    static string ProbeFileOf(string binary, IEnumerable<string> libraries, string what)
    {
        foreach (var candidate in new[] { binary }.Concat(libraries.Where(l => Path.GetFileName(l).StartsWith("libpython", StringComparison.Ordinal))))
            if (Usdt.HasPythonProbes(candidate)) return candidate;
        throw new CaptureException($"{what} has no CPython USDT probes: use a python built --with-dtrace (Debian's /usr/bin/python3.X has them)");
    }

    [GeneratedRegex(@"=>\s+(/\S+)")]
    private static partial Regex LddPath();
}
