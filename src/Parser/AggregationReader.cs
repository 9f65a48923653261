using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Reads the lines outside BEGIN..END, where DTrace prints its aggregations. Lines are held back until it is clear
/// what they are: the key of a table (a header follows, directly or after the blank line DTrace prints after a
/// stack), a stack whose value follows, a section title, a scalar entry, or plain text. Held lines are reported in
/// order once resolved, so every line still reaches the sink once and in line order.
/// </summary>
internal sealed class AggregationReader(ITraceSink sink)
{
    const int MaxHeld = 1000;

    readonly record struct Held(long Line, string Text, bool Blank, bool Frame);

    sealed record TableInProgress(int Line, string Section, IReadOnlyList<string> Key, string KeyText, long? Total, List<Bucket> Buckets);

    readonly List<Held> _held = new();
    string _section = "";
    TableInProgress? _table;

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
            if (LooksLikeBrokenRow(text))
            {
                sink.OnUnparsed(lineNumber, text);
                return;
            }
        }
        if (string.IsNullOrWhiteSpace(text)) Hold(lineNumber, text, blank: true, frame: false);
        else if (AggregationGrammar.IsTableHeader(text)) StartTable(lineNumber, text);
        else if (AggregationGrammar.TryParseFrame(text) is not null) Hold(lineNumber, text, blank: false, frame: true);
        else if (AggregationGrammar.TryParseBareValue(text) is { } value) ReadValue(lineNumber, text, value);
        else if (LooksLikeBrokenRow(text))
        {
            Flush();
            sink.OnUnparsed(lineNumber, text);
        }
        else
        {
            if (_held.Count > 0 && _held[^1].Blank) Flush();
            Hold(lineNumber, text, blank: false, frame: false);
        }
    }

    /// <summary>A BEGIN or END line, another kind of line, or the end of the log: held lines are resolved, any table is complete.</summary>
    public void Finish()
    {
        if (_table is not null) FinishTable();
        Flush();
    }

    public void ResetSection() => _section = "";

    void Hold(long line, string text, bool blank, bool frame)
    {
        if (_held.Count == MaxHeld) FlushFirst(1);
        _held.Add(new Held(line, text, blank, frame));
    }

    /// <summary>
    /// The key of a table is the block of lines right above its header: key lines, then the frames of a stack
    /// (DTrace prints a blank line between a stack and the header). A title standing alone above an unkeyed table,
    /// with blank lines between (<c>Location (KB),</c>), labels it: it is both the section and the key.
    /// </summary>
    void StartTable(long headerLine, string headerText)
    {
        int end = _held.Count;
        while (end > 0 && _held[end - 1].Blank) end--;
        int blanks = _held.Count - end;
        int start = end;
        bool stack = end > 0 && _held[end - 1].Frame && blanks <= 1;
        if (stack) start = KeyBlockStart(end);
        else if (end > 0 && (blanks == 0 || AggregationGrammar.IsTitle(_held[end - 1].Text))) start = end - 1;

        FlushFirst(start);
        var keyLines = _held.Take(end - start).ToList();
        var (key, keyText, total) = Key(keyLines, stack);
        if (keyLines.Count == 1 && blanks > 0 && AggregationGrammar.IsTitle(keyLines[0].Text))
            _section = AggregationGrammar.TitleText(keyLines[0].Text);
        foreach (var h in _held) sink.OnNote(h.Line, h.Blank ? NoteKind.Blank : NoteKind.Aggregation, h.Text);
        _held.Clear();
        sink.OnNote(headerLine, NoteKind.Aggregation, headerText);
        _table = new TableInProgress(checked((int)headerLine), _section, key, keyText, total, new List<Bucket>());
    }

    /// <summary>A stack's frames and the key lines right above them (up to a blank line or a title), ending at end.</summary>
    int KeyBlockStart(int end)
    {
        int start = end;
        while (start > 0 && _held[start - 1].Frame) start--;
        while (start > 0 && !_held[start - 1].Blank && !_held[start - 1].Frame && !AggregationGrammar.IsTitle(_held[start - 1].Text)) start--;
        return start;
    }

    /// <summary>Key columns of the key lines (a stack is one column, frames joined by newlines), the key as printed, the printed total.</summary>
    static (IReadOnlyList<string> Key, string KeyText, long? Total) Key(IReadOnlyList<Held> keyLines, bool stack)
    {
        if (keyLines.Count == 0) return (Array.Empty<string>(), "", null);
        string keyText = string.Join("\n", keyLines.Select(h => h.Text.Trim()));
        if (!stack)
        {
            var (cols, total) = AggregationGrammar.ParseKey(keyLines[0].Text);
            return (cols, keyText, total);
        }
        var columns = new List<string>();
        foreach (var h in keyLines.Where(h => !h.Frame)) columns.AddRange(AggregationGrammar.KeyColumns(h.Text));
        columns.Add(string.Join("\n", keyLines.Where(h => h.Frame).Select(h => AggregationGrammar.TryParseFrame(h.Text))));
        return (columns, keyText, null);
    }

    /// <summary>A line holding only a number: the value of the stack held above it, or of an unkeyed aggregation.</summary>
    void ReadValue(long line, string text, long value)
    {
        bool stack = _held.Count > 0 && _held[^1].Frame;
        if (!stack && !char.IsWhiteSpace(text[0]))
        {
            if (_held.Count > 0 && _held[^1].Blank) Flush();
            Hold(line, text, blank: false, frame: false);
            return;
        }
        int start = stack ? KeyBlockStart(_held.Count) : _held.Count;
        FlushFirst(start);
        var (key, keyText, _) = Key(_held, stack);
        foreach (var h in _held) sink.OnNote(h.Line, NoteKind.Aggregation, h.Text);
        _held.Clear();
        sink.OnNote(line, NoteKind.Aggregation, text);
        sink.OnAggregation(new AggregationTable(checked((int)line), _section, key, AggregationKind.Scalar, value, Array.Empty<Bucket>(), keyText));
    }

    void FinishTable()
    {
        var t = _table!;
        _table = null;
        sink.OnAggregation(new AggregationTable(t.Line, t.Section, t.Key, BucketShape.KindOf(t.Buckets), t.Total, t.Buckets, t.KeyText));
    }

    void Flush() => FlushFirst(_held.Count);

    /// <summary>
    /// Resolves the first count held lines, which belong to no table: titles set the section, key-and-value lines are
    /// scalar entries, a line right above a scalar entry is its column header; the rest is text.
    /// </summary>
    void FlushFirst(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var h = _held[i];
            if (h.Blank) sink.OnNote(h.Line, NoteKind.Blank, h.Text);
            else if (AggregationGrammar.IsTitle(h.Text))
            {
                _section = AggregationGrammar.TitleText(h.Text);
                sink.OnNote(h.Line, NoteKind.Aggregation, h.Text);
            }
            else if (!h.Frame && AggregationGrammar.TryParseKeyAndValue(h.Text) is { } kv)
            {
                sink.OnNote(h.Line, NoteKind.Aggregation, h.Text);
                sink.OnAggregation(new AggregationTable(checked((int)h.Line), _section, AggregationGrammar.KeyColumns(kv.KeyText),
                    AggregationKind.Scalar, kv.Value, Array.Empty<Bucket>(), kv.KeyText.Trim()));
            }
            else
            {
                bool columnHeader = i + 1 < _held.Count && !_held[i + 1].Blank && !_held[i + 1].Frame
                                    && AggregationGrammar.TryParseKeyAndValue(_held[i + 1].Text) is not null
                                    && AggregationGrammar.TryParseKeyAndValue(h.Text) is null;
                sink.OnNote(h.Line, columnHeader ? NoteKind.Aggregation : NoteKind.Text, h.Text);
            }
        }
        _held.RemoveRange(0, count);
    }

    /// <summary>A bucket row cut short (a log cut mid-table): digits, then a pipe, but not a whole row.</summary>
    static bool LooksLikeBrokenRow(string text)
    {
        int bar = text.IndexOf('|');
        if (bar < 0) return false;
        var head = text.AsSpan(0, bar).Trim().TrimEnd('@').Trim();
        if (head.StartsWith(">=")) head = head[2..].Trim();
        else if (head.StartsWith("<")) head = head[1..].Trim();
        if (head.StartsWith("-")) head = head[1..];
        return head.Length > 0 && head.IndexOfAnyExcept("0123456789") < 0;
    }
}
