using System.Diagnostics;
using System.IO.Compression;
using PyMemTrace.Parser.Input;

namespace PyMemTrace.Store;

/// <summary>How far an import is: bytes and lines read so far, and the total bytes when the input is a plain file.</summary>
public sealed record ImportProgress(long Bytes, long? TotalBytes, long Lines, TimeSpan Elapsed)
{
    public double LinesPerSecond => Elapsed.TotalSeconds > 0 ? Lines / Elapsed.TotalSeconds : 0;

    /// <summary>Reports progress a few times a second until disposed (nothing when there is no one to tell).</summary>
    internal static IDisposable? Every(IProgress<ImportProgress>? progress, LineReader lines, Stream input, Stopwatch clock)
    {
        if (progress is null) return null;
        long? total = input is FileStream f ? f.Length : null;
        void Report(object? _) => progress.Report(new ImportProgress(lines.ByteCount, total, lines.LineCount, clock.Elapsed));
        return new Timer(Report, null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }
}
