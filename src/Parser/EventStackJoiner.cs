using Pidgin;
using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Gives an event the native call stack printed after it, as DTrace's <c>printf(...); ustack();</c> prints it and
/// <c>pmanalyze record --native</c> writes it: the event line, at most one blank line, then one indented frame a line,
/// leaf first (<c>              libc.so.6`malloc+0x0</c>), then a blank line.
/// <code>
///  4711 /home/u/app.py:49   -> plant malloc(1111) pntr 0x55d5c3a4e630
///
///               libc.so.6`malloc+0x0
///               libffi.so.8`ffi_call+0xcc
///               python3.11`_start+0x20
///
/// </code>
/// Each event is held until the line after it shows whether frames follow; the sink then gets
/// <see cref="ITraceSink.OnStack"/> (frames root first) right before the event, and each frame line as a
/// <see cref="NoteKind.Stack"/> note. The frames are read by the rule that reads a stack key of an aggregation
/// (<see cref="AggregationGrammar.Frame"/>), so a ustack() reads the same in both places.
/// </summary>
internal sealed class EventStackJoiner(ITraceSink sink)
{
    long _line;
    bool _held, _fromBytes;
    byte[] _bytes = new byte[256];
    int _length;
    EventFields _fields;
    EventLine? _event;
    (long Line, string Text)? _blank;
    readonly List<(long Line, string Text, string Frame)> _frames = new();

    public bool Holding => _held;

    public void Hold(long line, ReadOnlySpan<byte> bytes, in EventFields fields)
    {
        Flush();
        if (_bytes.Length < bytes.Length) _bytes = new byte[Math.Max(bytes.Length, _bytes.Length * 2)];
        bytes.CopyTo(_bytes);
        (_line, _held, _fromBytes, _length, _fields, _event) = (line, true, true, bytes.Length, fields, null);
    }

    public void Hold(long line, EventLine ev)
    {
        Flush();
        (_line, _held, _fromBytes, _event) = (line, true, false, ev);
    }

    /// <summary>
    /// Takes the line when it belongs to the held event's stack (a frame, or the one blank line before the first
    /// frame); otherwise hands the held event on and leaves the line to the caller.
    /// </summary>
    public bool TryTake(long line, string text)
    {
        if (!_held) return false;
        if (string.IsNullOrWhiteSpace(text))
        {
            if (_frames.Count == 0 && _blank is null)
            {
                _blank = (line, text);
                return true;
            }
        }
        else if (text[0] is ' ' or '\t' && AggregationGrammar.Frame.Parse(text) is { Success: true } frame)
        {
            _frames.Add((line, text, frame.Value));
            return true;
        }
        Flush();
        return false;
    }

    /// <summary>
    /// Whether a line could be taken without decoding it: blank, or one indented word (a frame). Event lines are
    /// indented too (DTrace right-aligns the pid), but have several words: they stay on the byte path.
    /// </summary>
    public static bool MayTake(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && IsSpace(bytes[i])) i++;
        if (i == bytes.Length) return true;                    // blank
        if (i == 0) return false;                              // a frame is indented
        while (i < bytes.Length && !IsSpace(bytes[i])) i++;   // the word
        while (i < bytes.Length && IsSpace(bytes[i])) i++;
        return i == bytes.Length;                              // and nothing after it
    }

    static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';

    /// <summary>Hands the held event on: its stack (when frames followed it), the event, then the lines after it.</summary>
    public void Flush()
    {
        if (!_held) return;
        _held = false;
        if (_frames.Count > 0)
        {
            var rootFirst = new NativeFrame[_frames.Count];
            for (int i = 0; i < _frames.Count; i++) rootFirst[_frames.Count - 1 - i] = NativeFrame.Of(_frames[i].Frame);
            sink.OnStack(_line, rootFirst);
        }
        if (!_fromBytes) sink.OnEvent(_line, _event!);
        else ((IEventBytesSink)sink).OnEvent(_line, _bytes.AsSpan(0, _length), in _fields);
        _event = null;
        if (_blank is { } blank) sink.OnNote(blank.Line, NoteKind.Blank, blank.Text);
        _blank = null;
        foreach (var (line, text, _) in _frames) sink.OnNote(line, NoteKind.Stack, text);
        _frames.Clear();
    }
}
