using System.Text;
using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests;

/// <summary>The hand-written event-line reader must agree with the Pidgin grammar wherever it answers.</summary>
public class FastEventLineTests
{
    static readonly string[] Calls =
    [
        "malloc(1477) pntr 0x7fa8e6071400", "calloc(3, 16) pntr 0x10", "realloc(0x7f00, 64) pntr 0x7f40", "free(0x7fa8e6071400)",
        "free(0x0)", "realloc(0x0, 8) pntr 0xABCDEF", "_PyObject_Malloc(32) _PyObject_Malloc returns 0x1000",
        "_PyObject_Calloc(2, 8) _PyObject_Calloc returns 0x2000", "_PyObject_Realloc(0x1000, 64)", "_PyObject_Free(0x1000)",
        "_PyMem_RawMalloc(7) _PyMem_RawMalloc returns 0xffffffffffffffff", "_PyMem_RawCalloc(0, 5) _PyMem_RawCalloc returns 0x3",
        "_PyMem_RawRealloc(0x3, 9) _PyMem_RawRealloc returns 0x4", "_PyMem_RawFree(0x4)",
        "malloc(99999999999999999999) pntr 0x1", "calloc(4611686018427387904, 4) pntr 0x1", "free(0x12345678901234567)",
        "malloc(12) pntr 0X10", "malloc(12)  pntr 0x10", "malloc(12) pntr 0x", "malloc() pntr 0x1", "malloc(1) pntr 0x1 \t",
        "_PyObject_Realloc(0x1000, 64) _PyObject_Realloc returns 0x2", "_PyMem_RawMalloc(7) _PyObject_Malloc returns 0x1",
        "malloc(1) pntr 0x1 trailing", "free(0x1) free(0x2)", "mallocx(1) pntr 0x1", "free (0x1)",
        "_PyObject_Realloc(0x0, 24)", "_PyObject_Realloc(0x0, 24) _PyObject_Realloc returns 0x7f00", "_PyObject_Realloc(0x1000, 64) _PyObject_Realloc returns 0x2 x",
        "_PyObject_Realloc(0x1000, 64) _PyMem_RawRealloc returns 0x2", "_PyObject_Realloc(0x1000, 64)  ",
    ];

    static readonly string[] Files =
    [
        "ex_dtrace.py", "", "/usr/lib/python3.12/json/decoder.py", "...ib/python3.12/re/_parser.py", "<frozen importlib._bootstrap>",
        "my file.py", "C:\\work\\a.py", "a:b.py", "weird:12.py", "x.py:7 -> y.py", "<string>", "\tt.py", "naïve.py", "日本.py",
    ];

    static readonly string[] Functions =
    [
        "create_cmalloc_list", "", "<module>", "<lambda>", "with space", "f malloc(1) pntr 0x1", "a->b", "  ", ":12 -> x",
        "__init__", "fünf", "٣", "x\u00a0y",
    ];

    static readonly string[] Pids = ["11672", " 11672", "\t7", "", "x", "99999999999", "2147483648", "0"];

    /// <summary>Time stamps before the line (the bpftrace programs' @NANOSECONDS), whole and damaged.</summary>
    static readonly string[] Stamps =
        ["@5012346790417 ", "@0 ", "@", "@ ", "@12x ", "@99999999999999999999 ", "@123\t", "@-1 ", " @1 ", "@1  ", "@1", "@@1 ", "@٣ "];

    static IEnumerable<string> GeneratedLines()
    {
        foreach (var stamp in Stamps)
        foreach (var pid in Pids.Take(4))
        foreach (var call in Calls.Take(8))
            yield return $"{stamp}{pid} /home/u/ex.py:48   -> f {call}";
        foreach (var pid in Pids)
        foreach (var file in Files)
        foreach (var fn in Functions.Take(pid == "11672" ? Functions.Length : 3))
        foreach (var call in Calls.Take(pid == "11672" && file.Length < 20 ? Calls.Length : 6))
        {
            yield return $"{pid} {file,20}:{48} -> {fn} {call}";
            yield return $"{pid}  {file}:48\t-> {fn} {call}";
        }
        foreach (var odd in new[] { "", " ", "->", " 1 a:1 -> ", " 1 a:1 ->  ", " 1 :1 -> f free(0x1)", " 1 a:1 ->  free(0x1)",
                     " 1 a:1 -> free(0x1)", " 1 a:1->f free(0x1)", " 1 a:x -> f free(0x1)", " 1 a:1 -> f free(0x1) ", " 1 a:٣ -> f free(0x1)",
                     " 1 a:99999999999 -> f free(0x1)", " 1 a:99999999999 -> f b:2 -> g free(0x1)", " 1 a:1:2 -> f free(0x1)" })
            yield return odd;
    }

    static void AssertAgrees(string line)
    {
        var verdict = FastEventLine.TryParse(line, out var fast);
        var grammar = EventLineGrammar.TryParseWithGrammar(line);
        switch (verdict)
        {
            case FastEventLine.Verdict.Match: Assert.True(grammar is not null && fast == grammar, $"fast path differs on [{line}]: {fast} vs {grammar}"); break;
            case FastEventLine.Verdict.NoMatch: Assert.True(grammar is null, $"fast path rejected [{line}], the grammar read {grammar}"); break;
        }
        Assert.Equal(grammar, EventLineGrammar.TryParse(line));
    }

    [Fact]
    public void Agrees_with_the_grammar_on_every_line_of_the_seed_logs()
    {
        int asciiEvents = 0, fastEvents = 0;
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "seed"), "*.log"))
        {
            using var stream = File.OpenRead(path);
            var reader = new LineReader(stream);
            while (reader.TryReadLine(out var line))
            {
                AssertAgrees(line);
                if (Ascii.IsValid(line) && EventLineGrammar.TryParseWithGrammar(line) is not null) asciiEvents++;
                if (FastEventLine.TryParse(line, out _) == FastEventLine.Verdict.Match) fastEvents++;
            }
        }
        Assert.True(asciiEvents > 200);
        Assert.Equal(asciiEvents, fastEvents); // every ASCII event line takes the fast path
    }

    [Fact]
    public void Agrees_with_the_grammar_on_generated_and_tricky_lines()
    {
        int matched = 0;
        foreach (var line in GeneratedLines())
        {
            AssertAgrees(line);
            if (FastEventLine.TryParse(line, out _) == FastEventLine.Verdict.Match) matched++;
        }
        Assert.True(matched > 1000, $"only {matched} generated lines took the fast path");
    }

    [Fact]
    public void Agrees_with_the_grammar_on_randomly_damaged_lines()
    {
        var valid = GeneratedLines().Where(l => EventLineGrammar.TryParseWithGrammar(l) is not null).ToArray();
        foreach (var line in RandomDamage.Of(valid, " \t:->()x0123456789abcdefpntr,_\u00e9", seed: 5, count: 20000)) AssertAgrees(line);
    }

    [Fact]
    public void Reads_the_common_line_exactly()
    {
        Assert.Equal(FastEventLine.Verdict.Match,
            FastEventLine.TryParse(" 11672     ex_dtrace.py:48   -> create_cmalloc_list realloc(0x7fa8e6071400, 2048) pntr 0x7fa8e6072000", out var ev));
        Assert.Equal(new EventLine(11672, "ex_dtrace.py", 48, "create_cmalloc_list",
            new MemoryCall(CallKind.Realloc, "realloc", 2048, 0x7fa8e6072000, OldPointer: 0x7fa8e6071400)), ev);
    }

    [Fact]
    public void Reads_the_time_stamp_before_the_line()
    {
        var line = "@5012346790417  11672 /home/u/ex.py:48   -> create_list realloc(0x7fa8e6071a00, 128) pntr 0x7fa8e6821c00";
        Assert.Equal(FastEventLine.Verdict.Match, FastEventLine.TryParse(line, out var ev));
        Assert.Equal(new EventLine(11672, "/home/u/ex.py", 48, "create_list",
            new MemoryCall(CallKind.Realloc, "realloc", 128, 0x7fa8e6821c00, OldPointer: 0x7fa8e6071a00), 5012346790417), ev);
        Assert.Equal(ev, EventLineGrammar.TryParseWithGrammar(line));
        Assert.Null(EventLineGrammar.TryParse("@5012346790417x 11672 /home/u/ex.py:48   -> f free(0x1)"));
    }

    [Fact]
    public void Leaves_non_ascii_lines_to_the_grammar()
    {
        Assert.Equal(FastEventLine.Verdict.Unknown, FastEventLine.TryParse(" 1 naïve.py:3 -> f free(0x1)", out _));
        Assert.Equal("naïve.py", EventLineGrammar.TryParse(" 1 naïve.py:3 -> f free(0x1)")!.File);
    }
}
