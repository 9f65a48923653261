using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Receives a log classified line by line. Every line reaches exactly one of OnEvent, OnFlow, OnNote (or one of the
/// OnNote refinements OnNotice and OnRss) or OnUnparsed, in line order — except a call line whose return was printed
/// on a later line, reported as one event when that return is read. OnAggregation additionally reports each
/// aggregation once its last line has been read; OnRawText gives the line as read when escape sequences were removed.
/// </summary>
public interface ITraceSink
{
    void OnEvent(long lineNumber, EventLine ev);
    void OnFlow(long lineNumber, FlowLine flow);
    void OnNote(long lineNumber, string kind, string text);
    void OnUnparsed(long lineNumber, string text);
    void OnAggregation(AggregationTable table);

    /// <summary>A DTrace notice line (<c>dtrace: ...</c>).</summary>
    void OnNotice(long lineNumber, Notice notice, string text) => OnNote(lineNumber, NoteKind.Notice, text);

    /// <summary>A <c>PS:</c> line: the resident size in KB (-1 when ps printed none) of pid, the pid of the line before it.</summary>
    void OnRss(long lineNumber, int? pid, long kilobytes, string text) => OnNote(lineNumber, NoteKind.Rss, text);

    /// <summary>
    /// The native call stack printed after the event of <paramref name="eventLine"/> (ustack(), record --native), root
    /// first; given right before that event's OnEvent. Its frame lines are then reported as <see cref="NoteKind.Stack"/> notes.
    /// </summary>
    void OnStack(long eventLine, IReadOnlyList<NativeFrame> rootFirst) { }

    /// <summary>The line as read, before its ANSI escape sequences were removed (the stripped text is reported as usual).</summary>
    void OnRawText(long lineNumber, string raw) { }
}

/// <summary>
/// A sink that also takes event and flow lines straight from their bytes, so that the common lines cost no string:
/// the reader calls these instead of <see cref="ITraceSink.OnEvent"/> and <see cref="ITraceSink.OnFlow"/> when
/// <see cref="Grammar.FastEventLine"/> or <see cref="Grammar.FastFlowLine"/> read the line (which then is ASCII, and
/// the grammar would read the same). The bytes are valid during the call only.
/// </summary>
public interface IEventBytesSink : ITraceSink
{
    void OnEvent(long lineNumber, ReadOnlySpan<byte> line, in Grammar.EventFields ev);
    void OnFlow(long lineNumber, ReadOnlySpan<byte> line, in Grammar.FlowFields flow);
}
