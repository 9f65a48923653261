namespace PyMemTrace.Tests.Support;

/// <summary>A database imported once for a whole test class (an xunit class fixture), removed afterwards.</summary>
public abstract class ImportedOnce : IDisposable
{
    public TempDir Dir { get; } = new();

    public string Db => Dir.Db;

    protected void Import(string log) => Pmanalyze.Ok("import", log, "--db", Db, "-q");

    public void Dispose() => Dir.Dispose();
}
