using System.Text.Json.Nodes;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Analyses;

/// <summary>
/// The generator's own record of every block (tests/fixtures/generated/tools/gentrace.py, "blocks"): when it was
/// made live and released, its pid, size, site and call stack. The expected figures of the block reports are computed
/// here from it, independently of pmanalyze's store and replay.
/// </summary>
public sealed class BlockModel
{
    public sealed record Site(string File, long Line, string Function);
    public sealed record ModelBlock(int Pid, long Event, long? End, long Size, Site Site, IReadOnlyList<(string File, string Function)> Stack, bool LiveAtPeak)
    {
        public bool LiveAfter(long e) => Event <= e && (End is null || End > e);
    }

    public IReadOnlyList<ModelBlock> Blocks { get; }
    public JsonNode Truth { get; }
    public long PeakEvent => Truth["peak_event"]!.GetValue<long>();
    public long Events => Truth["events"]!.GetValue<long>();

    public BlockModel(string truthFile)
    {
        Truth = Fixtures.NormalizeStrings(Fixtures.Json(Fixtures.Generated(truthFile)))!;
        var stacks = Truth["block_stacks"]!.AsArray()
            .Select(s => (IReadOnlyList<(string, string)>)s!.AsArray().Select(f => (f![0]!.GetValue<string>(), f[1]!.GetValue<string>())).ToList()).ToList();
        Blocks = Truth["blocks"]!.AsArray().Select(b => new ModelBlock(
            b!["pid"]!.GetValue<int>(), b["event"]!.GetValue<long>(), b["end"]?.GetValue<long>(), b["size"]!.GetValue<long>(),
            new Site(b["site"]![0]!.GetValue<string>(), b["site"]![1]!.GetValue<long>(), b["site"]![2]!.GetValue<string>()),
            b["stack"] is { } s ? stacks[s.GetValue<int>()] : [], b["live_at_peak"]!.GetValue<bool>())).ToList();
    }

    /// <summary>The folded path pmanalyze writes: frames 'file:function' root first, the site 'file:function:line' as leaf.</summary>
    public static string PathOf(ModelBlock b) => string.Join(";",
        (b.Stack.Count == 0 ? ["[no stack]"] : b.Stack.Select(f => $"{f.File}:{f.Function}".Replace(';', ':')))
        .Append($"{b.Site.File}:{b.Site.Function}:{b.Site.Line}".Replace(';', ':')));

    /// <summary>"key bytes blocks" lines, sorted: the comparable form of a grouping.</summary>
    public static List<string> Grouped(IEnumerable<ModelBlock> blocks, Func<ModelBlock, string> key) =>
        blocks.GroupBy(key).Select(g => $"{g.Key} {g.Sum(b => b.Size)} {g.Count()}").Order(StringComparer.Ordinal).ToList();

    public static string SiteKey(ModelBlock b) => $"{b.Site.File}|{b.Site.Line}|{b.Site.Function}";

    /// <summary>A site's live bytes after event <paramref name="e"/>.</summary>
    public static long LiveBytes(IEnumerable<ModelBlock> blocks, long e) => blocks.Where(b => b.LiveAfter(e)).Sum(b => b.Size);
}
