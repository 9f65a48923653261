using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Receives a log classified line by line. Every line reaches exactly one of OnEvent, OnFlow, OnNote or OnUnparsed,
/// in line order; OnAggregation additionally reports each table once its last row has been read.
/// </summary>
public interface ITraceSink
{
    void OnEvent(long lineNumber, EventLine ev);
    void OnFlow(long lineNumber, FlowLine flow);
    void OnNote(long lineNumber, string kind, string text);
    void OnUnparsed(long lineNumber, string text);
    void OnAggregation(AggregationTable table);
}
