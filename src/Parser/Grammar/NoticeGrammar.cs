namespace PyMemTrace.Parser.Grammar;

/// <summary>DTrace's own messages: <c>dtrace: system integrity protection is on...</c>, <c>dtrace: 12 dynamic variable drops</c>.</summary>
public static class NoticeGrammar
{
    public static bool IsNotice(string text) => text.TrimStart().StartsWith("dtrace: ", StringComparison.Ordinal);
}
