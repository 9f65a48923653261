namespace PyMemTrace.Cli;

/// <summary>A file a command is about to write, checked before any work is done: one clear line instead of .NET's.</summary>
internal static class OutputFile
{
    public static string Checked(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("--out needs a file name");
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory: --out names the file to write");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (ArgumentException) // a NUL in the name
        {
            throw new UsageException($"'{path}' is not a usable file name");
        }
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder)) throw new UsageException($"cannot write '{path}': folder '{folder}' does not exist");
        return path;
    }
}
