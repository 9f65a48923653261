using System.Globalization;
using System.Text.RegularExpressions;

namespace PyMemTrace.Capture;

/// <summary>
/// The uprobes record --native puts on the C library with <c>perf probe -x LIBC</c>, in a group of its own
/// (<c>pmanalyze_PID</c>, so that recordings side by side do not meet), and removes again (<c>perf probe -d</c>) when
/// disposed, also after Ctrl-C or a failure. The entries are <c>malloc</c>, <c>__libc_calloc</c> and
/// <c>__libc_realloc</c> (plain <c>calloc</c> also matches <c>calloc@plt</c> and counts twice) with their returns,
/// and <c>free</c>. Each entry probe sits at the first instruction the kernel emulates rather than single-steps
/// (a push or a jump, before anything that changes the arguments): 7 times cheaper for free (issue 12's study).
/// </summary>
internal sealed partial class LibcProbes : IDisposable
{
    public static readonly string[] Functions = ["malloc", "__libc_calloc", "__libc_realloc", "free"];
    readonly Perf _perf;
    bool _added;

    public string Library { get; }
    public string Group { get; } = "pmanalyze_" + System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    /// <summary>The offset chosen for each entry probe (0 when objdump is missing or nothing better was found).</summary>
    public IReadOnlyDictionary<string, int> Offsets { get; }

    public LibcProbes(Perf perf, string library)
    {
        _perf = perf;
        Library = library;
        Offsets = Functions.ToDictionary(f => f, f => EmulatedOffset(library, f));
    }

    /// <summary>perf's names of the events: GROUP:malloc, GROUP:malloc_ret__return, ...</summary>
    public string Event(string name) => $"{Group}:{name}";

    public void Add()
    {
        _added = true;
        var args = new List<string> { "probe", "-q", "-x", Library };
        void probe(string definition) { args.Add("-a"); args.Add(definition); }
        string at(string f) => Offsets[f] == 0 ? f : $"{f}+{Offsets[f]}";
        probe($"{Group}:malloc={at("malloc")} size=%di:u64");
        probe($"{Group}:malloc_ret=malloc%return ptr=%ax:u64");
        probe($"{Group}:calloc={at("__libc_calloc")} n=%di:u64 size=%si:u64");
        probe($"{Group}:calloc_ret=__libc_calloc%return ptr=%ax:u64");
        probe($"{Group}:realloc={at("__libc_realloc")} old=%di:u64 size=%si:u64");
        probe($"{Group}:realloc_ret=__libc_realloc%return ptr=%ax:u64");
        probe($"{Group}:free={at("free")} ptr=%di:u64");
        var r = _perf.Run(args);
        if (r.ExitCode != 0) throw new CaptureException($"perf probe could not put uprobes on {Library}: {Tools.FirstError(r.Stderr)}");
    }

    public void Dispose()
    {
        if (!_added) return;
        _added = false;
        try { _perf.Run(["probe", "-q", "-d", Group + ":*"], TimeSpan.FromSeconds(30)); }
        catch (CaptureException) { }
    }

    /// <summary>The C library a program loads (ldd), or that a process mapped.</summary>
    public static string Of(string binary)
    {
        var ldd = Tools.OnPath("ldd");
        if (ldd is not null && LibcPath().Match(Tools.Run(ldd, [binary]).Stdout) is { Success: true } m) return m.Groups[1].Value;
        throw new CaptureException($"cannot find the C library {binary} loads (ldd): --native traces glibc's libc.so.6");
    }

    public static string OfProcess(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("/libc.so.6", StringComparison.Ordinal)) return line[slash..];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        throw new CaptureException($"pid {pid} has no libc.so.6 mapped: --native traces glibc's libc.so.6");
    }

    /// <summary>
    /// The offset of the first instruction of the function that the kernel emulates (push, jmp, jcc, call), when only
    /// instructions that set flags (test, cmp) or mark a branch target (endbr64) come before it: the arguments are
    /// still in their registers there. objdump reads the instructions; without it, or when none fits, 0.
    /// </summary>
    static int EmulatedOffset(string library, string function)
    {
        var objdump = Tools.OnPath("objdump");
        if (objdump is null) return 0;
        var start = SymbolAddress(library, function);
        if (start is null) return 0;
        var r = Tools.Run(objdump, ["-d", "--no-show-raw-insn", $"--start-address=0x{start:x}", $"--stop-address=0x{start + 32:x}", library]);
        foreach (Match m in Instruction().Matches(r.Stdout))
        {
            long address = long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string mnemonic = m.Groups[2].Value;
            if (mnemonic is "push" or "jmp" or "call" || (mnemonic.StartsWith('j') && mnemonic.Length <= 4)) return (int)(address - start.Value);
            if (mnemonic is not ("test" or "cmp" or "endbr64")) return 0;
        }
        return 0;
    }

    static long? SymbolAddress(string library, string function)
    {
        var readelf = Tools.OnPath("readelf");
        if (readelf is null) return null;
        foreach (var line in Tools.Run(readelf, ["-W", "--dyn-syms", library]).Stdout.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 8 && f[3] == "FUNC" && f[7].Split('@')[0] == function
                && long.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long a)) return a;
        }
        return null;
    }

    [GeneratedRegex(@"=>\s+(/\S*/libc\.so\.6)\b")]
    private static partial Regex LibcPath();

    [GeneratedRegex(@"^\s*([0-9a-f]+):\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Instruction();
}
