using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;
using static PyMemTrace.Parser.Grammar.Tokens;

namespace PyMemTrace.Parser.Grammar;

/// <summary>
/// Lines printed beside the memory events:
/// <code>
/// PS:  14212                                 resident size (KB) from system("ps -p PID -o rss=") of the RSS script
///  _PyMem_RawRealloc returns 0x7f859ee681b0  a return printed on its own line (its probe has no predicate, or its
///                                            call was split from it by another process's output)
/// </code>
/// </summary>
public static class SideLineGrammar
{
    public static readonly Parser<char, long> RssLine =
        Blanks.Then(String("PS:")).Then(Blanks).Then(Unsigned).Before(LineEnd);

    static readonly Parser<char, string> Api =
        Token(c => char.IsLetterOrDigit(c) || c == '_').AtLeastOnceString();

    public static readonly Parser<char, (string Api, long Pointer)> ReturnLine =
        Map((api, ptr) => (api, ptr), Blanks.Then(Api), String(" returns ").Then(Pointer).Before(LineEnd));

    /// <summary>The kilobytes of a PS line; null when the line is not one. A PS line with no number (ps found no process) gives -1.</summary>
    public static long? TryParseRss(string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith("PS:", StringComparison.Ordinal)) return null;
        var r = RssLine.Parse(text);
        if (r.Success) return r.Value;
        return text.AsSpan().Trim().SequenceEqual("PS:") ? -1 : null;
    }

    public static (string Api, long Pointer)? TryParseReturn(string text)
    {
        if (!text.Contains(" returns 0x", StringComparison.Ordinal)) return null;
        var r = ReturnLine.Parse(text);
        return r.Success ? r.Value : null;
    }
}
