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
        var encoded = Encoding.UTF8.GetBytes(text);
        b = GC.AllocateArray<byte>(encoded.Length + 1, pinned: true); // never moved; a trailing NUL for an empty string
        encoded.CopyTo(b, 0);
        _bytes[text] = b;
        return b;
    }
}
