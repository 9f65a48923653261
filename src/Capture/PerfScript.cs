using System.Globalization;
using System.Text.RegularExpressions;

namespace PyMemTrace.Capture;

/// <summary>The Python location of a thread at a moment (from CPython's USDT probes), joined to a native event.</summary>
public sealed record PyLocation(string File, int Line, string Function);

/// <summary>
/// Turns <c>perf script --ns --no-inline -F pid,tid,time,event,trace,ip,sym,symoff,dso</c> output of the
/// <see cref="LibcProbes"/> events into the toolkit's event lines, each allocation followed by its native stack as
/// DTrace's <c>ustack()</c> prints it (one frame a line, leaf first, indented; then a blank line):
/// <code>
/// @11445158410272  13468 /tmp/plant_leaks.py:49   -> plant_mallocs malloc(1111) pntr 0x3949c2f0
///               libc.so.6`malloc+0x0
///               libffi.so.8.1.2`0x6f79
///               libffi.so.8.1.2`ffi_call+0xcc
///               ...
///               python3.11`_start+0x20
///
/// @11445158412001  13468 /tmp/plant_leaks.py:88   -> main free(0x3949c2f0)
/// </code>
/// An allocation is written when it returns (stamped then), a free when it is entered, as py_flow.bt does; a call
/// made inside a traced one (realloc(NULL, n) calls malloc, realloc(p, 0) free) is not written. The Python location
/// comes from <paramref name="where"/> (thread, time of the call's entry); without one, <c>?:0 -> ?</c>. With
/// <paramref name="minSize"/>, smaller allocations and the frees of blocks not written are left out. With
/// <paramref name="launchedPid"/> (a program that record started at its gate; perf script run with
/// <c>--show-task-events</c>), that pid's events before its <c>PERF_RECORD_COMM exec</c> are the gate shell's own
/// calls, not the program's, and are left out.
/// </summary>
public sealed partial class PerfScript(TextWriter output, Func<int, long, PyLocation?> where, long minSize = 0, int launchedPid = 0)
{
    enum Kind { Malloc, Calloc, Realloc, Free }

    sealed class Call(Kind kind, int pid, long entry, ulong a, ulong b)
    {
        public readonly Kind Kind = kind;
        public readonly int Pid = pid;
        public readonly long Entry = entry;
        public readonly ulong A = a, B = b; // malloc: size; calloc: n, size; realloc: old, size; free: ptr
        public readonly List<string> Frames = new();
    }

    readonly Dictionary<int, Call> _open = new();
    readonly HashSet<ulong> _written = new();
    Call? _framesOf;
    // The exec comes right after the gate opens, when perf's buffer holds only the shell's few events: it is not lost.
    bool _execSeen = launchedPid == 0;

    public long Events { get; private set; }
    public long WithStack { get; private set; }
    /// <summary>
    /// Written stacks that do not reach a thread's first frame (_start, clone3): perf's unwinding stopped early, at
    /// 8 KB of stack, or after the first frame when perf's unwinder misses a library's unwind table (docs/recording.md).
    /// </summary>
    public long Incomplete { get; private set; }
    /// <summary>
    /// Cut-short stacks of at most two frames: the allocator's, and nothing or a stray address after it. Most stacks
    /// of a run like that means perf could not unwind the C library at all, not that some stacks were deep.
    /// </summary>
    public long AllocatorOnly { get; private set; }
    /// <summary>The gate shell's calls (entries) before the program's exec (with <c>launchedPid</c>): left out.</summary>
    public long GateEvents { get; private set; }
    /// <summary>
    /// The launched pid's execs: the gate's, and one more for each program that execs another (a shell wrapper), whose
    /// mappings perf keeps as it kept the gate's (docs/recording.md, "Stacks cut short").
    /// </summary>
    public int Execs { get; private set; }
    /// <summary>Entries whose return never came (perf lost it): left out.</summary>
    public long Unreturned { get; private set; }

    public void Add(string line)
    {
        if (line.Length > 0 && char.IsWhiteSpace(line[0]) && FrameLine().Match(line) is { Success: true } frame)
        {
            _framesOf?.Frames.Add(Frame(frame.Groups[1].Value, frame.Groups[2].Value, frame.Groups[3].Value));
            return;
        }
        _framesOf = null;
        if (launchedPid != 0 && ExecLine().Match(line) is { Success: true } exec
            && int.Parse(exec.Groups[1].Value, CultureInfo.InvariantCulture) == launchedPid)
        {
            _execSeen = true;
            Execs++;
            return;
        }
        if (HeaderLine().Match(line) is not { Success: true } h) return;
        int pid = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture), tid = int.Parse(h.Groups[2].Value, CultureInfo.InvariantCulture);
        long ns = long.Parse(h.Groups[3].Value, CultureInfo.InvariantCulture) * 1_000_000_000
                  + long.Parse(h.Groups[4].Value.PadRight(9, '0')[..9], CultureInfo.InvariantCulture);
        string name = h.Groups[5].Value[(h.Groups[5].Value.IndexOf(':') + 1)..];
        var args = Args(h.Groups[6].Value);
        bool isReturn = name.EndsWith("__return", StringComparison.Ordinal);
        if (!_execSeen && pid == launchedPid)
        {
            if (!isReturn) GateEvents++;
            return;
        }
        // GROUP:malloc, GROUP:malloc_ret__return (LibcProbes' names; a hand-made probe may be called pm_malloc)
        Kind? kind = name.Contains("realloc", StringComparison.Ordinal) ? Kind.Realloc
            : name.Contains("calloc", StringComparison.Ordinal) ? Kind.Calloc
            : name.Contains("malloc", StringComparison.Ordinal) ? Kind.Malloc
            : name.Contains("free", StringComparison.Ordinal) ? Kind.Free : null;
        if (kind is not { } k) return;

        if (isReturn)
        {
            if (_open.TryGetValue(tid, out var open) && open.Kind == k)
            {
                _open.Remove(tid);
                Returned(open, tid, ns, Arg(args, "ptr"));
            }
            return; // the return of a call made inside another one, or of an entry perf lost
        }
        if (_open.TryGetValue(tid, out var outer))
        {
            // realloc calls malloc (realloc(NULL, n)) and free (realloc(p, 0)): not the program's calls. Any other
            // entry while a call is open means perf lost that call's return.
            if (outer.Kind == Kind.Realloc && k is Kind.Malloc or Kind.Free) return;
            _open.Remove(tid);
            Unreturned++;
        }
        var call = k switch
        {
            Kind.Malloc => new Call(k, pid, ns, Arg(args, "size"), 0),
            Kind.Calloc => new Call(k, pid, ns, Arg(args, "n"), Arg(args, "size")),
            Kind.Realloc => new Call(k, pid, ns, Arg(args, "old"), Arg(args, "size")),
            _ => new Call(k, pid, ns, Arg(args, "ptr"), 0),
        };
        if (k == Kind.Free) Freed(call, tid);
        else
        {
            _open[tid] = call;
            _framesOf = call;
        }
    }

    /// <summary>Calls still open at the end (the program ended inside one, or perf lost their returns).</summary>
    public void Finish()
    {
        Unreturned += _open.Count;
        _open.Clear();
        output.Flush();
    }

    void Freed(Call call, int tid)
    {
        if (minSize > 0 && !_written.Remove(call.A)) return;
        Write(call, tid, call.Entry, string.Create(CultureInfo.InvariantCulture, $"free(0x{call.A:x})"));
    }

    void Returned(Call call, int tid, long ns, ulong ptr)
    {
        ulong size = call.Kind switch { Kind.Calloc => call.A * call.B, Kind.Malloc => call.A, _ => call.B };
        bool keep = minSize <= 0 || size >= (ulong)minSize || (call.Kind == Kind.Realloc && _written.Contains(call.A));
        if (!keep) return;
        if (minSize > 0)
        {
            if (call.Kind == Kind.Realloc) _written.Remove(call.A);
            if (ptr != 0) _written.Add(ptr);
        }
        string text = call.Kind switch
        {
            Kind.Malloc => string.Create(CultureInfo.InvariantCulture, $"malloc({call.A}) pntr 0x{ptr:x}"),
            Kind.Calloc => string.Create(CultureInfo.InvariantCulture, $"calloc({call.A}, {call.B}) pntr 0x{ptr:x}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"realloc(0x{call.A:x}, {call.B}) pntr 0x{ptr:x}"),
        };
        Write(call, tid, ns, text);
        if (call.Frames.Count == 0) return;
        WithStack++;
        var root = call.Frames[^1];
        if (!RootFunctions.Any(f => root.Contains(f, StringComparison.Ordinal)))
        {
            Incomplete++;
            if (call.Frames.Count <= 2) AllocatorOnly++;
        }
        foreach (var frame in call.Frames)
        {
            output.Write("              ");
            output.WriteLine(frame);
        }
        output.WriteLine();
    }

    void Write(Call call, int tid, long stamp, string text)
    {
        Events++;
        var at = where(tid, call.Entry);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"@{stamp} {call.Pid,6} {at?.File ?? "?"}:{at?.Line ?? 0,-4} -> {at?.Function ?? "?"} {text}"));
    }

    static readonly string[] RootFunctions = ["`_start+", "`clone3+", "`clone+", "`__clone3+", "`__clone+"];

    /// <summary><c>module`function+0xoff</c> as DTrace prints a frame; <c>module`0xADDR</c> where perf knows no symbol.</summary>
    static string Frame(string ip, string symbol, string dso)
    {
        string module = dso.StartsWith('[') ? "?" : Path.GetFileName(dso);
        if (symbol == "[unknown]") return module == "?" ? "0x" + ip : $"{module}`0x{ip}";
        int plus = symbol.LastIndexOf("+0x", StringComparison.Ordinal);
        string name = plus > 0 ? symbol[..plus] : symbol, offset = plus > 0 ? symbol[plus..] : "";
        int version = name.IndexOf('@');
        if (version > 0) name = name[..version]; // cfree@GLIBC_2.2.5, __libc_start_main@@GLIBC_2.34
        return $"{module}`{name}{offset}";
    }

    static Dictionary<string, string> Args(string text)
    {
        var args = new Dictionary<string, string>();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = word.IndexOf('=');
            if (eq <= 0) break; // the call site perf prints after a return's arguments
            args[word[..eq]] = word[(eq + 1)..];
        }
        return args;
    }

    static ulong Arg(Dictionary<string, string> args, string name) =>
        args.TryGetValue(name, out var v) && ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ? n
        : args.TryGetValue(name, out v) && v.StartsWith("0x", StringComparison.Ordinal)
          && ulong.TryParse(v.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out n) ? n : 0;

    // 13468/13468 11445.158402628:   probe:malloc: (7f585a0fe930) size=1111
    [GeneratedRegex(@"^\s*(\d+)/(\d+)\s+(\d+)\.(\d+):\s+(\S+):\s+\([0-9a-f]+(?: <- [0-9a-f]+)?\)\s*(.*)$")]
    private static partial Regex HeaderLine();

    // 11384/11384 21332.113489060: PERF_RECORD_COMM exec: python3.11:11384/11384
    [GeneratedRegex(@"^\s*(\d+)/\d+\s+\d+\.\d+:\s+PERF_RECORD_COMM exec:")]
    private static partial Regex ExecLine();

    // \t           98930 malloc+0x0 (/usr/lib/x86_64-linux-gnu/libc.so.6)
    [GeneratedRegex(@"^\s+([0-9a-f]+)\s+(.+?)\s+\(([^()]*)\)\s*$")]
    private static partial Regex FrameLine();
}
