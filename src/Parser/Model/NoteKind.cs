namespace PyMemTrace.Parser.Model;

/// <summary>How a line that is neither an event nor unparsed was recognised.</summary>
public static class NoteKind
{
    public const string Blank = "blank";
    public const string Begin = "begin";
    public const string End = "end";
    public const string Text = "text";           // outside BEGIN..END: prompts, program output, prose
    public const string Notice = "notice";       // `dtrace: ...` messages
    public const string Flow = "flow";           // call-stack mode CALL/RTN lines and their header
    public const string Aggregation = "aggregation"; // section titles, keys, headers and rows of printa tables
}
