using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Classifies every line of a DTrace log and hands it to a sink. Inside dtrace:::BEGIN..dtrace:::END a line is an
/// event, a flow line, a notice, blank, or unparsed; outside, it is aggregation output or a note.
/// </summary>
public sealed class TraceReader(ITraceSink sink)
{
    readonly AggregationReader _aggregations = new(sink);
    bool _inBlock;

    public void Read(LineReader lines)
    {
        while (lines.TryReadLine(out var text)) ReadLine(lines.LineCount, text);
        _aggregations.Finish();
    }

    public void ReadLine(long lineNumber, string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.SequenceEqual("dtrace:::BEGIN"))
        {
            _aggregations.Finish();
            _aggregations.ResetSection();
            _inBlock = true;
            sink.OnNote(lineNumber, NoteKind.Begin, text);
        }
        else if (trimmed.SequenceEqual("dtrace:::END"))
        {
            _aggregations.Finish();
            _aggregations.ResetSection();
            _inBlock = false;
            sink.OnNote(lineNumber, NoteKind.End, text);
        }
        else if (_inBlock) ReadBlockLine(lineNumber, text, trimmed.IsEmpty);
        else _aggregations.Read(lineNumber, text);
    }

    void ReadBlockLine(long lineNumber, string text, bool blank)
    {
        if (blank) sink.OnNote(lineNumber, NoteKind.Blank, text);
        else if (LooksLikeEvent(text) && EventLineGrammar.TryParse(text) is { } ev) sink.OnEvent(lineNumber, ev);
        else if (LooksLikeFlow(text) && FlowLineGrammar.TryParse(text) is { } flow) sink.OnFlow(lineNumber, flow);
        else if (text.StartsWith('C') && FlowLineGrammar.IsHeader(text)) sink.OnNote(lineNumber, NoteKind.Flow, text);
        else if (NoticeGrammar.IsNotice(text)) sink.OnNote(lineNumber, NoteKind.Notice, text);
        else sink.OnUnparsed(lineNumber, text);
    }

    // Cheap tests that spare the grammar most lines that cannot match.
    static bool LooksLikeEvent(string text) => text.Contains("-> ", StringComparison.Ordinal) && text.TrimEnd().Length > 0;
    static bool LooksLikeFlow(string text) => text.Contains("CALL", StringComparison.Ordinal) || text.Contains("RTN", StringComparison.Ordinal);
}
