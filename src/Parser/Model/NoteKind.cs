namespace PyMemTrace.Parser.Model;

/// <summary>How a line that is neither an event nor unparsed was recognised.</summary>
public static class NoteKind
{
    public const string Blank = "blank";
    public const string Begin = "begin";
    public const string End = "end";
    public const string Text = "text";           // outside BEGIN..END: prompts, program output, prose
    public const string Notice = "notice";       // `dtrace: ...` messages (their kinds: the notices table)
    public const string Flow = "flow";           // flow-trace header lines (the CALL/RTN lines themselves go to the flow table)
    public const string Aggregation = "aggregation"; // section titles, keys, headers, rows and values of aggregations
    public const string Rss = "rss";             // `PS: N` resident-size samples (their values: the rss_samples table)
    public const string OrphanReturn = "orphan_return"; // ` _PyMem_RawRealloc returns 0x...` on its own line, no call to join
    public const string Stack = "stack";         // a frame of the native call stack printed after an event (ustack(), record --native)
    public const string SplitReturn = "split_return";   // the return half of a call split over two lines: the event is at the call's line
}
