using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Classifies every line of a DTrace log and hands it to a sink. ANSI escapes are removed first (the raw line is
/// reported too). DTrace notices, flow-trace lines and PS: samples are recognised anywhere. Inside
/// dtrace:::BEGIN..dtrace:::END a line is otherwise an event, a frame of the native stack printed after an event
/// (<see cref="EventStackJoiner"/>), blank, a lone return, or unparsed; outside, it is aggregation output or a note.
/// </summary>
public sealed class TraceReader(ITraceSink sink)
{
    readonly AggregationReader _aggregations = new(sink);
    readonly SplitCallJoiner _split = new(sink);
    readonly EventStackJoiner _stack = new(sink);
    bool _inBlock;
    long _blockBegin;
    int? _lastPid;

    /// <summary>After <see cref="Read"/>: the log stopped inside dtrace:::BEGIN..END, with no dtrace:::END after it.</summary>
    public bool EndedInsideBlock => _inBlock;

    /// <summary>
    /// The line of the first dtrace:::BEGIN whose block was followed by another dtrace:::BEGIN instead of its
    /// dtrace:::END (logs of several runs, one of them cut short); null when there is none.
    /// </summary>
    public long? UnendedBlockLine { get; private set; }

    public void Read(LineReader lines)
    {
        var bytesSink = sink as IEventBytesSink;
        while (lines.TryReadLineBytes(out var bytes))
        {
            // the input stopped inside this line, or it is longer than any DTrace line (only its prefix is here):
            // keep it as it is, read nothing into it
            if (lines.LineIsCut || lines.LineIsTruncated)
            {
                _stack.Flush();
                sink.OnUnparsed(lines.LineCount, LineReader.Decode(bytes));
                continue;
            }
            if (_stack.Holding && !EventStackJoiner.MayTake(bytes)) _stack.Flush(); // no frame: spare the decoding
            if (bytesSink is not null && _inBlock && !_stack.Holding && TryBytes(lines.LineCount, bytes, bytesSink)) continue;
            ReadLine(lines.LineCount, LineReader.Decode(bytes));
        }
        _stack.Flush();
        _split.Finish();
        _aggregations.Finish();
    }

    /// <summary>
    /// The hot path: an event or flow line inside BEGIN..END read from its bytes, exactly as <see cref="ReadBlockLine"/>
    /// would (no escape sequence to strip, the fast reader sure of the line). A flow line is one only where the event
    /// reader is sure it is no event, as the text path tries the event first (a notice starts with "dtrace: ", never
    /// with a pid). Anything else goes the way of text.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    bool TryBytes(long lineNumber, ReadOnlySpan<byte> bytes, IEventBytesSink bytesSink)
    {
        if (bytes.Contains((byte)0x1b)) return false;
        var verdict = FastEventLine.TryParse(bytes, out var ev);
        if (verdict == FastEventLine.Verdict.Match)
        {
            _lastPid = ev.Pid;
            _stack.Hold(lineNumber, bytes, in ev);
        }
        else if (verdict == FastEventLine.Verdict.NoMatch && FastFlowLine.TryParse(bytes, out var flow))
        {
            _lastPid = flow.Pid;
            bytesSink.OnFlow(lineNumber, bytes, in flow);
        }
        else return false;
        _split.Advance(lineNumber);
        return true;
    }

    public void ReadLine(long lineNumber, string text)
    {
        if (_stack.Holding && _inBlock && _stack.TryTake(lineNumber, text)) return;
        _stack.Flush();
        if (text.IndexOf('\x1b') >= 0)
        {
            var plain = AnsiEscapes.Strip(text);
            if (!ReferenceEquals(plain, text)) sink.OnRawText(lineNumber, text);
            text = plain;
        }
        var trimmed = WithoutTime(text.AsSpan().Trim());
        if (trimmed.SequenceEqual("dtrace:::BEGIN") || trimmed.SequenceEqual("dtrace:::END"))
        {
            _split.Finish();
            _aggregations.Finish();
            _aggregations.ResetSection();
            bool begin = trimmed.SequenceEqual("dtrace:::BEGIN");
            if (begin && _inBlock) UnendedBlockLine ??= _blockBegin;
            if (begin) _blockBegin = lineNumber;
            _inBlock = begin;
            sink.OnNote(lineNumber, _inBlock ? NoteKind.Begin : NoteKind.End, text);
        }
        else if (_inBlock) ReadBlockLine(lineNumber, text, trimmed.IsEmpty);
        else if (!trimmed.IsEmpty && TrySideLine(lineNumber, text, outside: true)) { }
        else _aggregations.Read(lineNumber, text);
    }

    void ReadBlockLine(long lineNumber, string text, bool blank)
    {
        if (blank) sink.OnNote(lineNumber, NoteKind.Blank, text);
        else if (LooksLikeEvent(text) && EventLineGrammar.TryParse(text) is { } ev)
        {
            _lastPid = ev.Pid;
            _stack.Hold(lineNumber, ev);
        }
        else if (TrySideLine(lineNumber, text, outside: false)) { }
        else if (SideLineGrammar.TryParseReturn(text) is { } ret) _split.Return(lineNumber, text, ret.Api);
        else if (LooksLikeEvent(text)) _split.Hold(lineNumber, text);
        else sink.OnUnparsed(lineNumber, text);
        _split.Advance(lineNumber);
    }

    /// <summary>Notices, flow lines and PS: samples, which may appear inside or outside BEGIN..END.</summary>
    bool TrySideLine(long lineNumber, string text, bool outside)
    {
        if (NoticeGrammar.TryParse(text) is { } notice)
        {
            if (outside) _aggregations.Finish();
            sink.OnNotice(lineNumber, notice, text);
        }
        else if (LooksLikeFlow(text) && FlowLineGrammar.TryParse(text) is { } flow)
        {
            if (outside) _aggregations.Finish();
            _lastPid = flow.Pid;
            sink.OnFlow(lineNumber, flow);
        }
        else if (FlowLineGrammar.IsHeader(text))
        {
            if (outside) _aggregations.Finish();
            sink.OnNote(lineNumber, NoteKind.Flow, text);
        }
        else if (SideLineGrammar.TryParseRss(text) is { } kb)
        {
            if (outside) _aggregations.Finish();
            sink.OnRss(lineNumber, _lastPid, kb, text);
        }
        else return false;
        return true;
    }

    /// <summary>BEGIN and END may carry a time stamp too (<c>@NANOSECONDS dtrace:::BEGIN</c>, the bpftrace programs).</summary>
    static ReadOnlySpan<char> WithoutTime(ReadOnlySpan<char> line)
    {
        if (line.Length < 3 || line[0] != '@') return line;
        int space = line.IndexOf(' ');
        if (space < 2 || line[1..space].ContainsAnyExceptInRange('0', '9')) return line;
        return line[(space + 1)..].TrimStart();
    }

    // Cheap tests that spare the grammar most lines that cannot match.
    static bool LooksLikeEvent(string text) => text.Contains("-> ", StringComparison.Ordinal) && text.TrimEnd().Length > 0;
    static bool LooksLikeFlow(string text) => text.Contains("-> ", StringComparison.Ordinal) || text.Contains("<- ", StringComparison.Ordinal);
}
