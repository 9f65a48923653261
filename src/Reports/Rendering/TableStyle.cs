namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// How a table is laid out for a person: <paramref name="Width"/> is the terminal's width in columns (null when the
/// output is no terminal: every column is kept, only absurdly long cells are cut); <paramref name="ExactBytes"/> keeps
/// byte counts as exact integers instead of human units (--bytes); <paramref name="OnTerminal"/>: stdout is a terminal,
/// so even CSV shows control characters as \x1b.
/// </summary>
public sealed record TableStyle(int? Width, bool ExactBytes = false, bool OnTerminal = false)
{
    /// <summary>The widest a cell gets when no terminal width is known: a 1 MB function name must not make every row 1 MB.</summary>
    public const int WidestCell = 200;

    public static TableStyle Default { get; } = new((int?)null);
}
