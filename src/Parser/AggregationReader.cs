using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Reads the lines outside BEGIN..END, where DTrace prints its aggregations. Non-blank lines are held back as a
/// pending block until it is clear whether they are the key of a table (a table header follows) or plain text.
/// </summary>
internal sealed class AggregationReader(ITraceSink sink)
{
    const int MaxPending = 1000;
    readonly List<(long Line, string Text)> _pending = new();
    string _section = "";
    TableInProgress? _table;

    sealed record TableInProgress(int Line, string Section, IReadOnlyList<string> Key, long? Total, List<Bucket> Buckets);

    public void Read(long lineNumber, string text)
    {
        if (_table is not null)
        {
            if (AggregationGrammar.TryParseRow(text) is { } bucket)
            {
                _table.Buckets.Add(bucket);
                sink.OnNote(lineNumber, NoteKind.Aggregation, text);
                return;
            }
            FinishTable();
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            Flush();
            sink.OnNote(lineNumber, NoteKind.Blank, text);
            return;
        }
        if (NoticeGrammar.IsNotice(text))
        {
            Flush();
            sink.OnNote(lineNumber, NoteKind.Notice, text);
            return;
        }
        if (AggregationGrammar.IsTableHeader(text))
        {
            StartTable(lineNumber, text);
            return;
        }
        if (_pending.Count == MaxPending) FlushOne(0);
        _pending.Add((lineNumber, text));
    }

    /// <summary>A BEGIN or END line, or the end of the log: whatever was pending is text, any table is complete.</summary>
    public void Finish()
    {
        if (_table is not null) FinishTable();
        Flush();
    }

    public void ResetSection() => _section = "";

    void StartTable(long headerLine, string headerText)
    {
        IReadOnlyList<string> key = Array.Empty<string>();
        long? total = null;
        if (_pending.Count > 0)
        {
            var (keyLine, keyText) = _pending[^1];
            _pending.RemoveAt(_pending.Count - 1);
            Flush();
            (key, total) = AggregationGrammar.ParseKey(keyText);
            sink.OnNote(keyLine, NoteKind.Aggregation, keyText);
        }
        sink.OnNote(headerLine, NoteKind.Aggregation, headerText);
        _table = new TableInProgress(checked((int)headerLine), _section, key, total, new List<Bucket>());
    }

    void FinishTable()
    {
        var t = _table!;
        _table = null;
        sink.OnAggregation(new AggregationTable(t.Line, t.Section, t.Key, "quantize", t.Total, t.Buckets));
    }

    void Flush()
    {
        while (_pending.Count > 0) FlushOne(0);
    }

    void FlushOne(int index)
    {
        var (line, text) = _pending[index];
        _pending.RemoveAt(index);
        if (AggregationGrammar.IsSectionTitle(text)) _section = text.TrimEnd().TrimEnd(':');
        sink.OnNote(line, NoteKind.Text, text);
    }
}
