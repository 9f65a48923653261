using System.Text;

namespace PyMemTrace.Store;

/// <summary>
/// The few strings an event row repeats (kinds, API names, statuses) as UTF-8 in pinned memory, encoded once,
/// so they can be bound to a statement without copying.
/// </summary>
internal sealed class PinnedUtf8
{
    readonly Dictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);
    string? _lastText;
    byte[]? _lastBytes;

    public byte[] Of(string text)
    {
        if (ReferenceEquals(text, _lastText)) return _lastBytes!; // the same literal as the row before: the common case
        _lastText = text;
        return _lastBytes = Lookup(text);
    }

    byte[] Lookup(string text)
    {
        if (_bytes.TryGetValue(text, out var b)) return b;
        return _bytes[text] = Encode(text);
    }

    /// <summary>The text's UTF-8 in an array that is never moved, with a trailing NUL (so an empty string has an address).</summary>
    public static byte[] Encode(string text)
    {
        var b = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(text) + 1, pinned: true);
        Encoding.UTF8.GetBytes(text, b);
        return b;
    }
}
