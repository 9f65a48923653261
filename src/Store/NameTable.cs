using System.Text;

namespace PyMemTrace.Store;

/// <summary>
/// Gives each distinct file or function name of a trace's flow lines a number 0, 1, ... in the order first seen, keyed
/// by its bytes (a name already seen costs a hash and a compare, no string); each new one is announced, so the writer
/// encodes it once. A name is interned as a site with no line and no function: the same byte-keyed table.
/// </summary>
internal sealed class NameTable(Action<int, string> onNew)
{
    readonly SiteInterner _keys = new();

    /// <summary>A name read from an ASCII line.</summary>
    public int Intern(ReadOnlySpan<byte> ascii)
    {
        int number = _keys.Intern(ascii, 0, default, out bool added);
        if (added) onNew(number, Encoding.ASCII.GetString(ascii));
        return number;
    }

    public int Intern(string name)
    {
        int number = _keys.Intern(name, 0, "", out bool added);
        if (added) onNew(number, name);
        return number;
    }
}
