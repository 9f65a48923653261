namespace PyMemTrace.Store;

/// <summary>
/// Binds the parameters of one prepared statement, remembering what each holds: bindings survive a reset, so a value
/// equal to the one already bound (the same pid, NULL, 'malloc', 0 ...) is not bound again. Each bind is a call into
/// SQLite that releases the old value and stores the new one; an event row repeats about half of its columns.
/// </summary>
internal sealed class BoundValues(PreparedStatement statement, int parameters)
{
    enum State : byte { Unknown, Int, Null, Text, Name }

    readonly nint _stmt = statement.Handle;
    readonly State[] _state = new State[parameters + 1];
    readonly long[] _ints = new long[parameters + 1];
    readonly string?[] _texts = new string?[parameters + 1];

    public void Int(int index, long value)
    {
        if (_state[index] == State.Int && _ints[index] == value) return;
        SqliteNative.BindInt64(_stmt, index, value);
        _state[index] = State.Int;
        _ints[index] = value;
    }

    public void Null(int index)
    {
        if (_state[index] == State.Null) return;
        SqliteNative.BindNull(_stmt, index);
        _state[index] = State.Null;
    }

    public void Optional(int index, bool present, long value)
    {
        if (present) Int(index, value);
        else Null(index);
    }

    /// <summary>Text from <paramref name="cache"/> (pinned, bound without a copy); the same string object is not bound again.</summary>
    public unsafe void Text(int index, PinnedUtf8 cache, string? text)
    {
        if (text is null)
        {
            Null(index);
            return;
        }
        if (_state[index] == State.Text && ReferenceEquals(_texts[index], text)) return;
        var utf8 = cache.Of(text);
        fixed (byte* p = utf8) SqliteNative.BindStaticText(_stmt, index, p, utf8.Length - 1);
        _state[index] = State.Text;
        _texts[index] = text;
    }

    /// <summary>Text known by a number (a name of the trace's name table), as pinned UTF-8; the same number is not bound again.</summary>
    public unsafe void Name(int index, int number, byte[] pinnedUtf8)
    {
        if (_state[index] == State.Name && _ints[index] == number) return;
        fixed (byte* p = pinnedUtf8) SqliteNative.BindStaticText(_stmt, index, p, pinnedUtf8.Length - 1);
        _state[index] = State.Name;
        _ints[index] = number;
    }
}
