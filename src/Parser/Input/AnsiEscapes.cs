using System.Text.RegularExpressions;

namespace PyMemTrace.Parser.Input;

/// <summary>Terminal escape sequences (the colours of the syscolors scripts: <c>ESC[2;32m ... ESC[0m</c>).</summary>
public static partial class AnsiEscapes
{
    [GeneratedRegex(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")]
    private static partial Regex Sequence();

    /// <summary>The text without escape sequences; the same instance when it has none.</summary>
    public static string Strip(string text) => text.IndexOf('\x1b') < 0 ? text : Sequence().Replace(text, "");
}
