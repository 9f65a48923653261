using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Reads the lines outside BEGIN..END, where DTrace (or bpftrace, or a bcc tool) prints its aggregations. Lines are
/// held back until it is clear what they are: the key of a table (a header follows, directly or after one blank
/// line), a stack whose value follows, a section title, printa rows, or plain text. Held lines are reported in order
/// once resolved, so every line still reaches the sink once and in line order.
/// Nothing is invented: a line ending in a number is a scalar only inside a block of printa rows (a block is a run
/// of lines between blank lines), never in prose or event output; a title is one only when aggregation output
/// follows it.
/// </summary>
internal sealed partial class AggregationReader(ITraceSink sink)
{
    const int MaxHeld = 1000;

    enum Kind { Blank, Frame, Value, Text }

    readonly record struct Held(long Line, string Text, Kind Kind)
    {
        public bool Blank => Kind == Kind.Blank;
        public bool Indented => Text.Length > 0 && char.IsWhiteSpace(Text[0]);
    }

    sealed record TableInProgress(int Line, string Section, IReadOnlyList<string> Key, string KeyText, long? Total, string Form, List<Bucket> Buckets)
    {
        public bool? Power; // bpftrace: every bucket a power of two (hist) or not (lhist)
    }

    readonly List<Held> _held = new();
    string _section = "";
    TableInProgress? _table;
    bool _packed;

    public void Read(long lineNumber, string text)
    {
        if (_table is not null)
        {
            if (TryTableRow(lineNumber, text)) return;
            FinishTable();
            if (LooksLikeBrokenRow(text))
            {
                sink.OnUnparsed(lineNumber, text);
                return;
            }
        }
        if (_stack is not null && ContinueStack(lineNumber, text)) return;
        if (_packed)
        {
            if (PackedGrammar.TryParseRow(text) is { } packed) { PackedRow(lineNumber, text, packed); return; }
            _packed = false;
        }
        if (PendingValue && !AggregationGrammar.IsTableHeader(text)) ResolveValue();

        if (string.IsNullOrWhiteSpace(text)) Hold(lineNumber, text, Kind.Blank);
        else if (AggregationGrammar.IsTableHeader(text)) StartTable(lineNumber, text);
        else if (BpftraceGrammar.StartsWithMap(text) && ReadBpftrace(lineNumber, text)) { }
        else if (PackedGrammar.IsHeader(text))
        {
            Flush(followedByAggregation: true);
            sink.OnNote(lineNumber, NoteKind.Aggregation, text);
            _packed = true;
        }
        else if (AggregationGrammar.TryParseFrame(text) is not null) Hold(lineNumber, text, Kind.Frame);
        else if (AggregationGrammar.TryParseBareValue(text) is not null && char.IsWhiteSpace(text[0])) Hold(lineNumber, text, Kind.Value);
        else if (_held.Count > 0 && _held[^1].Kind == Kind.Frame && AggregationGrammar.TryParseKeyAndValue(text) is { } kv)
            StackRow(lineNumber, text, kv);
        else if (LooksLikeBrokenRow(text))
        {
            Flush(followedByAggregation: false);
            sink.OnUnparsed(lineNumber, text);
        }
        else
        {
            if (_held.Count > 0 && _held[^1].Blank) FlushKeepingTitle();
            Hold(lineNumber, text, Kind.Text);
        }
    }

    /// <summary>A BEGIN or END line, another kind of line, or the end of the log: held lines are resolved, any table is complete.</summary>
    public void Finish()
    {
        if (_table is not null) FinishTable();
        if (_stack is not null) AbandonStack();
        _packed = false;
        if (PendingValue) ResolveValue();
        Flush(followedByAggregation: false);
    }

    public void ResetSection() => _section = "";

    bool PendingValue => _held.Count > 0 && _held[^1].Kind == Kind.Value;

    void Hold(long line, string text, Kind kind)
    {
        if (_held.Count == MaxHeld) FlushFirst(1, followedByAggregation: false);
        _held.Add(new Held(line, text, kind));
    }

    void Report(Held h, string kind) => sink.OnNote(h.Line, h.Blank ? NoteKind.Blank : kind, h.Text);

    // ---- DTrace tables -------------------------------------------------------------------------------------------

    bool TryTableRow(long lineNumber, string text)
    {
        var t = _table!;
        if (t.Form == AggregationForm.Bpftrace)
        {
            if (BpftraceGrammar.TryParseRow(text) is not { } row) return false;
            t.Buckets.Add(row.Bucket);
            if (row.Power is { } power) t.Power = (t.Power ?? true) && power;
        }
        else if (AggregationGrammar.TryParseRow(text) is { } bucket) t.Buckets.Add(bucket);
        else return false;
        sink.OnNote(lineNumber, NoteKind.Aggregation, text);
        return true;
    }

    /// <summary>
    /// The key of a table is the block of lines right above its header, at most one blank line away (DTrace prints a
    /// blank line after a stack, and after a printa format's own newline): the last line, or the whole block when it
    /// holds a stack (key lines, frames, more key columns). An integer alone is a key too (<c>@[n] = quantize()</c>).
    /// A title standing alone above a table, blank lines between (<c>Location (KB),</c>), labels it: it is both the
    /// section and the key.
    /// </summary>
    void StartTable(long headerLine, string headerText)
    {
        int end = _held.Count;
        while (end > 0 && _held[end - 1].Blank) end--;
        int blanks = _held.Count - end;
        int blockStart = end;
        while (blockStart > 0 && !_held[blockStart - 1].Blank) blockStart--;
        bool stack = blanks <= 1 && Enumerable.Range(blockStart, end - blockStart).Any(i => _held[i].Kind == Kind.Frame);
        bool title = end > 0 && AggregationGrammar.IsTitle(_held[end - 1].Text);
        int start = end;
        if (stack) start = KeyBlockStart(end);
        else if (end > 0 && (blanks <= 1 || title)) start = end - 1;

        FlushFirst(start, followedByAggregation: true);
        var keyLines = _held.Take(end - start).ToList();
        var (key, keyText, total) = Key(keyLines, stack);
        if (keyLines.Count == 1 && blanks > 0 && title) _section = AggregationGrammar.TitleText(keyLines[0].Text);
        foreach (var h in _held) Report(h, NoteKind.Aggregation);
        _held.Clear();
        sink.OnNote(headerLine, NoteKind.Aggregation, headerText);
        _table = new TableInProgress(checked((int)headerLine), _section, key, keyText, total, AggregationForm.DTrace, new List<Bucket>());
    }

    /// <summary>The start of the key block ending at end: up to a blank line or a title.</summary>
    int KeyBlockStart(int end)
    {
        int start = end;
        while (start > 0 && !_held[start - 1].Blank && !(_held[start - 1].Kind == Kind.Text && AggregationGrammar.IsTitle(_held[start - 1].Text))) start--;
        return start;
    }

    /// <summary>
    /// Key columns of the key lines, the key as printed, the printed total. A stack is one column (its frames joined by
    /// newlines), in its place among the other columns.
    /// </summary>
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
        var frames = new List<string>();
        foreach (var h in keyLines)
        {
            if (h.Kind == Kind.Frame) { frames.Add(AggregationGrammar.TryParseFrame(h.Text)!); continue; }
            if (frames.Count > 0) { columns.Add(string.Join("\n", frames)); frames.Clear(); }
            columns.AddRange(AggregationGrammar.KeyColumns(h.Text));
        }
        if (frames.Count > 0) columns.Add(string.Join("\n", frames));
        return (columns, keyText, null);
    }

    void FinishTable()
    {
        var t = _table!;
        _table = null;
        string kind = t.Form == AggregationForm.Bpftrace
            ? (t.Power ?? false ? AggregationKind.Quantize : AggregationKind.LQuantize)
            : BucketShape.KindOf(t.Buckets);
        sink.OnAggregation(new AggregationTable(t.Line, t.Section, t.Key, kind, t.Total, t.Buckets, t.KeyText, t.Form));
    }

    // ---- values below stacks, and bcc's stack + count ------------------------------------------------------------

    /// <summary>
    /// An indented number alone, once the next line shows it is no table key: the value of the stack held above it
    /// (DTrace's <c>stack() = count()</c>, or a bcc tool's indented frames), or of an unkeyed aggregation.
    /// </summary>
    void ResolveValue()
    {
        int valueAt = _held.Count - 1;
        var value = _held[valueAt];
        int blockStart = valueAt;
        while (blockStart > 0 && !_held[blockStart - 1].Blank && !IsTitleLine(_held[blockStart - 1])) blockStart--;
        bool dtraceStack = Enumerable.Range(blockStart, valueAt - blockStart).Any(i => _held[i].Kind == Kind.Frame);
        int indented = valueAt; // bcc: the indented lines right above the value, none of them a printa row
        while (indented > blockStart && _held[indented - 1].Indented && !IsRow(_held[indented - 1].Text)) indented--;
        bool bccStack = !dtraceStack && indented < valueAt;
        int start = dtraceStack ? blockStart : bccStack ? indented : valueAt;

        FlushFirst(start, followedByAggregation: true);
        var keyLines = _held.Take(_held.Count - 1).ToList();
        var (key, keyText, _) = bccStack ? BccKey(keyLines) : Key(keyLines, stack: dtraceStack);
        foreach (var h in _held) Report(h, NoteKind.Aggregation);
        _held.Clear();
        long v = AggregationGrammar.TryParseBareValue(value.Text)!.Value;
        sink.OnAggregation(new AggregationTable(checked((int)value.Line), _section, key, AggregationKind.Scalar, v, Array.Empty<Bucket>(), keyText,
            bccStack ? AggregationForm.Bcc : AggregationForm.DTrace));
    }

    /// <summary>
    /// A printa row right below a stack (<c>printa("%d %k %d %@d")</c>): its key columns follow the stack's, its value
    /// is the entry's.
    /// </summary>
    void StackRow(long line, string text, (string KeyText, long Value) kv)
    {
        Hold(line, text, Kind.Text);
        int rowAt = _held.Count - 1;
        int start = KeyBlockStart(rowAt);
        FlushFirst(start, followedByAggregation: true);
        var keyLines = _held.Take(_held.Count - 1).ToList();
        var (key, keyText, _) = Key(keyLines, stack: true);
        var columns = key.Concat(AggregationGrammar.KeyColumns(kv.KeyText)).ToList();
        keyText = keyText + "\n" + kv.KeyText.Trim();
        foreach (var h in _held) Report(h, NoteKind.Aggregation);
        _held.Clear();
        sink.OnAggregation(new AggregationTable(checked((int)line), _section, columns, AggregationKind.Scalar, kv.Value, Array.Empty<Bucket>(), keyText));
    }

    /// <summary>
    /// bcc's key (stackcount): the least indented lines are frames, one stack per run ("--" parts the kernel stack from
    /// the user one); each more indented line (<c>tar [15069]</c>) is a column of its own.
    /// </summary>
    static (IReadOnlyList<string> Key, string KeyText, long? Total) BccKey(IReadOnlyList<Held> lines)
    {
        int indent = lines.Min(h => Indent(h.Text));
        var columns = new List<string>();
        var frames = new List<string>();
        void EndStack()
        {
            if (frames.Count > 0) columns.Add(string.Join("\n", frames));
            frames.Clear();
        }
        foreach (var h in lines)
        {
            string t = h.Text.Trim();
            if (Indent(h.Text) == indent) frames.Add(t);
            else if (t == "--") EndStack();
            else { EndStack(); columns.Add(t); }
        }
        EndStack();
        return (columns, string.Join("\n", lines.Select(h => h.Text.Trim())), null);
    }

    static int Indent(string text) => text.Length - text.AsSpan().TrimStart().Length;

    // ---- packed (-x aggpack) -------------------------------------------------------------------------------------

    void PackedRow(long line, string text, (string KeyText, bool Linear, long Count) row)
    {
        sink.OnNote(line, NoteKind.Aggregation, text);
        sink.OnAggregation(new AggregationTable(checked((int)line), _section, AggregationGrammar.KeyColumns(row.KeyText),
            row.Linear ? AggregationKind.LQuantize : AggregationKind.Quantize, row.Count, Array.Empty<Bucket>(), row.KeyText, AggregationForm.Packed));
    }

    // ---- held lines: blocks of text, printa rows and titles ------------------------------------------------------

    void Flush(bool followedByAggregation) => FlushFirst(_held.Count, followedByAggregation);

    /// <summary>
    /// Text follows a blank line: what is held is resolved, except a title ending it, which waits to see whether
    /// aggregation output follows.
    /// </summary>
    void FlushKeepingTitle()
    {
        int last = _held.Count - 1;
        while (last >= 0 && _held[last].Blank) last--;
        if (last >= 0 && IsTitleLine(_held[last])) FlushFirst(last, followedByAggregation: false);
        else Flush(followedByAggregation: false);
    }

    /// <summary>
    /// Resolves the first count held lines, which belong to no table, block by block. followedByAggregation: what
    /// follows them (held lines after count, or the line being read) is aggregation output.
    /// </summary>
    void FlushFirst(int count, bool followedByAggregation)
    {
        int i = 0;
        while (i < count)
        {
            if (_held[i].Blank) { Report(_held[i], NoteKind.Blank); i++; continue; }
            int j = i;
            while (j < count && !_held[j].Blank) j++;
            int next = j;
            while (next < count && _held[next].Blank) next++;
            bool nextIsAggregation = next < count ? RowsOf(next, BlockEnd(next, count)) is not null : followedByAggregation;
            ReportBlock(i, j, nextIsAggregation);
            i = j;
        }
        _held.RemoveRange(0, count);
    }

    int BlockEnd(int start, int limit)
    {
        int j = start;
        while (j < limit && !_held[j].Blank) j++;
        return j;
    }

    /// <summary>
    /// A block of printa rows: an optional title, an optional column header, then rows of one shape (key columns then
    /// the value, or the value among the leading integer columns). Returns where the rows start, or null.
    /// </summary>
    int? RowsOf(int start, int end)
    {
        int p = start;
        if (p < end && IsTitleLine(_held[p])) p++;
        if (p + 1 < end && !IsRow(_held[p].Text) && AggregationGrammar.IsColumnHeader(_held[p].Text) && IsRow(_held[p + 1].Text)) p++;
        if (p >= end) return null;
        int? shape = RowShape(_held[p].Text);
        if (shape is null) return null;
        for (int k = p; k < end; k++)
            if (_held[k].Kind is not (Kind.Text or Kind.Value) || RowShape(_held[k].Text) != shape) return null;
        if (shape > 0 && !ValuesAligned(p, end, shape.Value)) return null;
        return p;
    }

    /// <summary>
    /// printa pads its value column (<c>%8@d</c>, <c>%-8@d</c>): in a block of rows with the value first, the values
    /// end (or start) in one column. Lines indented ever deeper (a printf'd process tree) are no printa rows.
    /// </summary>
    bool ValuesAligned(int start, int end, int valueWord)
    {
        var spans = Enumerable.Range(start, end - start).Select(k => WordSpan(_held[k].Text, valueWord)).ToList();
        return spans.All(s => s.End == spans[0].End) || spans.All(s => s.Start == spans[0].Start);
    }

    /// <summary>Where the n-th word (1-based) of a line starts and ends.</summary>
    static (int Start, int End) WordSpan(string text, int n)
    {
        int i = 0;
        for (int word = 1; ; word++)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (word == n || i >= text.Length) return (start, i);
        }
    }

    /// <summary>0 for KEY ... VALUE; n for n leading integer columns then key text; null for no row.</summary>
    static int? RowShape(string text)
    {
        if (AggregationGrammar.TryParseKeyAndValue(text) is not null) return IsNumbersOnly(text) ? null : 0;
        return AggregationGrammar.TryParseValueFirst(text) is { } vf ? vf.Leading.Count : null;
    }

    /// <summary>
    /// Three numbers or more and nothing else (<c>0 0 0 0</c>: printa of unkeyed aggregations side by side, several
    /// aggregations in one printa, sar's <c>23:28:54 1 3 0 96</c>): which is key and which is value cannot be told, so
    /// the line names no key. Two numbers are a key and its value (<c>@[pid] = count()</c>).
    /// </summary>
    static bool IsNumbersOnly(string text)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 3 && words.All(w => w.AsSpan().IndexOfAnyExcept("0123456789-+.,:/%") < 0);
    }

    static bool IsRow(string text) => RowShape(text) is not null;

    static bool IsTitleLine(Held h) => h.Kind == Kind.Text && AggregationGrammar.IsTitle(h.Text);

    void ReportBlock(int start, int end, bool nextIsAggregation)
    {
        if (RowsOf(start, end) is { } rows)
        {
            for (int k = start; k < rows; k++)
            {
                if (IsTitleLine(_held[k])) _section = AggregationGrammar.TitleText(_held[k].Text);
                Report(_held[k], NoteKind.Aggregation);
            }
            for (int k = rows; k < end; k++) ReportRow(_held[k]);
            return;
        }
        int last = end - 1;
        bool title = nextIsAggregation && IsTitleLine(_held[last]);
        for (int k = start; k < (title ? last : end); k++) Report(_held[k], NoteKind.Text);
        if (title)
        {
            _section = AggregationGrammar.TitleText(_held[last].Text);
            Report(_held[last], NoteKind.Aggregation);
        }
        else _section = "";
    }

    void ReportRow(Held h)
    {
        sink.OnNote(h.Line, NoteKind.Aggregation, h.Text);
        if (AggregationGrammar.TryParseKeyAndValue(h.Text) is { } kv)
        {
            sink.OnAggregation(new AggregationTable(checked((int)h.Line), _section, AggregationGrammar.KeyColumns(kv.KeyText),
                AggregationKind.Scalar, kv.Value, Array.Empty<Bucket>(), kv.KeyText.Trim()));
            return;
        }
        var vf = AggregationGrammar.TryParseValueFirst(h.Text)!.Value;
        var key = vf.Leading.Take(vf.Leading.Count - 1).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(vf.Text.Trim()).ToList();
        sink.OnAggregation(new AggregationTable(checked((int)h.Line), _section, key, AggregationKind.Scalar, vf.Leading[^1],
            Array.Empty<Bucket>(), string.Join("  ", key)));
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
