namespace PyMemTrace.Parser.Input;

/// <summary>An input stream that can tell why it stopped before the end of its data (damaged or cut-short gzip).</summary>
public interface IInputCheck
{
    /// <summary>Why the data was not read to its end; null while it was.</summary>
    string? Problem { get; }
}
