namespace PyMemTrace.Parser.Input;

/// <summary>Opens what the user named as a log: a path, "-" for standard input, or gzip data (by its magic bytes).</summary>
public static class TraceInput
{
    public const string StandardInput = "-";

    /// <exception cref="TraceInputException">The input cannot be read; the message is one line for the user.</exception>
    public static Stream Open(string source)
    {
        if (source == StandardInput) return MaybeGzip(new BufferedStream(Console.OpenStandardInput(), 1 << 16));
        if (Directory.Exists(source)) throw new TraceInputException($"'{source}' is a directory, not a log file");
        if (!File.Exists(source)) throw new TraceInputException($"'{source}' does not exist");
        FileStream file;
        try
        {
            file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceInputException($"cannot read '{source}': {e.Message}");
        }
        // A FIFO (or a device) streams like standard input: no seeking back, no length, no read-ahead hash.
        if (!file.CanSeek) return MaybeGzip(new BufferedStream(file, 1 << 16));
        return IsGzip(file) ? new CheckedGzipStream(file) : file;
    }

    static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Standard input cannot seek: its first two bytes are peeked through the buffer and handed on.</summary>
    static Stream MaybeGzip(BufferedStream input)
    {
        Span<byte> magic = stackalloc byte[2];
        int n = input.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        var whole = new PrefixedStream(magic[..n].ToArray(), input);
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new CheckedGzipStream(whole) : whole;
    }
}

public sealed class TraceInputException(string message) : Exception(message);
