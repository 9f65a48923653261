using System.Text;
using System.Text.RegularExpressions;

namespace PyMemTrace.Reports.Queries;

/// <summary>
/// A shell-style pattern, as SQLite's GLOB and valgrind's suppressions read it: * any run of characters, ? one
/// character, [abc] / [a-z] / [^abc] a class; everything else literal and case-sensitive; the whole text must match.
/// </summary>
public sealed class Glob
{
    readonly Regex _regex;

    public string Pattern { get; }

    public Glob(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(ToRegex(pattern), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    public bool Matches(string text) => _regex.IsMatch(text);

    static string ToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            int close = c == '[' ? glob.IndexOf(']', i + 2) : -1;
            if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else if (close > 0)
            {
                var body = glob[(i + 1)..close];
                bool negate = body.StartsWith('^');
                sb.Append(negate ? "[^" : "[").Append(Regex.Escape(negate ? body[1..] : body).Replace("\\-", "-").Replace("]", "\\]")).Append(']');
                i = close;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
