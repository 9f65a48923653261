using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>bpftrace's maps as it prints them (see <see cref="BpftraceGrammar"/>): entries, stats(), tables, stack keys.</summary>
internal sealed partial class AggregationReader
{
    sealed record StackInProgress(long Line, string Name, List<(long Line, string Text)> Frames);

    StackInProgress? _stack;

    /// <summary>A line starting with @: a bpftrace map entry, stats() line, table start or stack key start.</summary>
    bool ReadBpftrace(long line, string text)
    {
        if (BpftraceGrammar.TryParseEntry(text) is { } entry)
        {
            Flush(followedByAggregation: true);
            sink.OnNote(line, NoteKind.Aggregation, text);
            sink.OnAggregation(new AggregationTable(checked((int)line), entry.Name, BpftraceGrammar.KeyColumns(entry.Key), AggregationKind.Scalar,
                entry.Value, Array.Empty<Bucket>(), entry.Key ?? "", AggregationForm.Bpftrace));
        }
        else if (BpftraceGrammar.TryParseStats(text) is { } stats)
        {
            Flush(followedByAggregation: true);
            sink.OnNote(line, NoteKind.Aggregation, text);
            foreach (var (name, value) in new[] { ("count", stats.Count), ("average", stats.Average), ("total", stats.Total) })
                sink.OnAggregation(new AggregationTable(checked((int)line), stats.Name, [.. BpftraceGrammar.KeyColumns(stats.Key), name],
                    AggregationKind.Scalar, value, Array.Empty<Bucket>(), stats.Key ?? "", AggregationForm.Bpftrace));
        }
        else if (BpftraceGrammar.TryParseTableStart(text) is { } start)
        {
            Flush(followedByAggregation: true);
            sink.OnNote(line, NoteKind.Aggregation, text);
            _table = new TableInProgress(checked((int)line), start.Name, BpftraceGrammar.KeyColumns(start.Key), start.Key ?? "", null,
                AggregationForm.Bpftrace, new List<Bucket>());
        }
        else if (BpftraceGrammar.TryParseStackStart(text) is { } name)
        {
            Flush(followedByAggregation: true);
            sink.OnNote(line, NoteKind.Aggregation, text);
            _stack = new StackInProgress(line, name, new List<(long, string)>());
        }
        else return false;
        return true;
    }

    /// <summary>A frame of a bpftrace stack key, or its end: <c>]:</c> (a table follows) or <c>]: VALUE</c>.</summary>
    bool ContinueStack(long line, string text)
    {
        var s = _stack!;
        var (closed, value) = BpftraceGrammar.TryParseStackEnd(text);
        if (closed)
        {
            _stack = null;
            sink.OnNote(line, NoteKind.Aggregation, text);
            string stack = string.Join("\n", s.Frames.Select(f => f.Text.Trim()));
            if (value is { } v)
                sink.OnAggregation(new AggregationTable(checked((int)line), s.Name, [stack], AggregationKind.Scalar, v, Array.Empty<Bucket>(), stack,
                    AggregationForm.Bpftrace));
            else
                _table = new TableInProgress(checked((int)line), s.Name, [stack], stack, null, AggregationForm.Bpftrace, new List<Bucket>());
            return true;
        }
        if (!string.IsNullOrWhiteSpace(text) && char.IsWhiteSpace(text[0]) && s.Frames.Count < MaxHeld)
        {
            s.Frames.Add((line, text));
            sink.OnNote(line, NoteKind.Aggregation, text);
            return true;
        }
        AbandonStack();
        return false;
    }

    /// <summary>A stack key that never closed (a log cut short): its lines were reported; nothing is stored.</summary>
    void AbandonStack() => _stack = null;
}
