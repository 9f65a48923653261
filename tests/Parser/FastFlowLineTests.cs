using Pidgin;
using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests;

/// <summary>The hand-written flow-line reader must agree with the Pidgin grammar wherever it answers.</summary>
public class FastFlowLineTests
{
    static readonly string[] Files =
    [
        "ex_dtrace.py", "", "/usr/lib/python3.12/json/decoder.py", "<frozen importlib._bootstrap>", "my file.py", "a:b.py",
        "x.py:7 CALL -> y.py", "weird:12 RTN", "\tt.py", "naïve.py", "a:99999999999", "\u001ft.py",
    ];

    static readonly string[] Functions = ["create_list", "", "<module>", "with space", "a -> b", "  ", "f\u001f", "fünf", "x\u00a0"];
    static readonly string[] Types = ["CALL", "RTN", "CALLX", "call", "RTN\t", "CALL  "];
    static readonly string[] Arrows = ["-> ", "<- ", "->", "=> ", "->\t"];
    static readonly string[] Pids = ["11672", " 11672", "\t7", "", "x", "99999999999", "2147483648", "0"];
    static readonly string[] Lines = ["44", "0", "", "x", "2147483648", "99999999999999999999"];

    static IEnumerable<string> GeneratedLines()
    {
        foreach (var pid in Pids)
        foreach (var file in Files)
        foreach (var line in pid == "11672" ? Lines : Lines.Take(2))
        foreach (var type in pid == "11672" || file == "" ? Types : Types.Take(2))
        foreach (var arrow in Arrows)
        foreach (var fn in file.Length < 15 ? Functions : Functions.Take(2))
        {
            yield return $"{pid} {file,20}:{line}   {type} {arrow}{fn}";
            yield return $"{pid}  {file}:{line}\t{type}\t{arrow}{fn}  ";
        }
        foreach (var odd in new[] { "", " ", "CALL -> f", " 1 a:1 CALL -> ", " 1 a:1 CALL ->", " 1 :1 RTN <- f", " 1 a:1CALL -> f",
                     " 1 a:1 CALL-> f", " 1 a:1 :2 CALL -> f", " 1 a:1 x:2 CALL -> f", "1 a:1 CALL -> f" })
            yield return odd;
    }

    static FlowLine? Grammar(string line)
    {
        var r = FlowLineGrammar.MemoryScriptLine.Parse(line);
        return r.Success ? r.Value : null;
    }

    static void AssertAgrees(string line)
    {
        if (FastFlowLine.TryParse(line) is { } fast)
            Assert.True(fast == Grammar(line), $"fast path differs on [{line}]: {fast} vs {Grammar(line)}");
        Assert.Equal(FlowLineGrammar.TryParseWithGrammar(line), FlowLineGrammar.TryParse(line));
    }

    [Fact]
    public void Agrees_with_the_grammar_on_generated_lines()
    {
        int matched = 0;
        foreach (var line in GeneratedLines())
        {
            AssertAgrees(line);
            if (FastFlowLine.TryParse(line) is not null) matched++;
        }
        Assert.True(matched > 1000, $"the fast path read only {matched} lines");
    }

    [Fact]
    public void Agrees_with_the_grammar_on_randomly_damaged_lines()
    {
        var valid = GeneratedLines().Where(l => Grammar(l) is not null).ToArray();
        foreach (var line in RandomDamage.Of(valid, " \t:-<>CALRTNx0123456789\u00e9", seed: 11, count: 20000)) AssertAgrees(line);
    }

    [Fact]
    public void Reads_every_flow_line_of_the_call_stack_fixtures()
    {
        int flowLines = 0;
        foreach (var name in new[] { "generated/pyraw-call-stack.log", "generated/gentrace-pyraw-callstack-2pids-seed8.log" })
        {
            using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "fixtures", name));
            var reader = new LineReader(stream);
            while (reader.TryReadLine(out var line))
            {
                AssertAgrees(line);
                if (Grammar(line) is null) continue;
                Assert.NotNull(FastFlowLine.TryParse(line)); // the common line takes the fast path
                flowLines++;
            }
        }
        Assert.True(flowLines > 1000, $"only {flowLines} flow lines");
    }

    [Fact]
    public void Reads_the_common_line_exactly() =>
        Assert.Equal(new FlowLine(11672, "ex_dtrace.py", 56, false, "create_list"),
            FastFlowLine.TryParse(" 11672     ex_dtrace.py:56   RTN    <- create_list"));
}
