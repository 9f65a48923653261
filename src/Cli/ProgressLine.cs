using System.Globalization;
using PyMemTrace.Store;

namespace PyMemTrace.Cli;

/// <summary>
/// A one-line progress bar on stderr, redrawn in place with '\r', while an import runs; only when stderr is a
/// terminal, so logs and pipes never receive it. Disposing erases it.
/// </summary>
internal sealed class ProgressLine : IProgress<ImportProgress>, IDisposable
{
    const int BarWidth = 30;
    readonly object _gate = new();
    bool _drawn, _closed;

    ProgressLine() { }

    public static ProgressLine? OnTerminal() => Console.IsErrorRedirected ? null : new ProgressLine();

    public void Report(ImportProgress p)
    {
        lock (_gate)
        {
            if (_closed) return;
            Console.Error.Write("\r" + Render(p) + "\u001b[K");
            _drawn = true;
        }
    }

    public static string Render(ImportProgress p)
    {
        string rate = string.Create(CultureInfo.InvariantCulture, $"{p.Lines:N0} lines, {p.LinesPerSecond / 1e6:0.00} M lines/s");
        if (p.TotalBytes is not { } total || total <= 0) return $"importing: {Megabytes(p.Bytes)} read, {rate}";
        double done = Math.Clamp((double)p.Bytes / total, 0, 1);
        int filled = (int)(done * BarWidth);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {done * 100,3:0}% {Megabytes(p.Bytes)}/{Megabytes(total)}, {rate}");
    }

    static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MB");

    public static string DescribeTimings(ImportResult r, ImportTimings t) => string.Create(CultureInfo.InvariantCulture,
        $"time: read {t.Read.TotalSeconds:0.000} s, parse {t.Parse.TotalSeconds:0.000} s (reader thread), " +
        $"store {t.Store.TotalSeconds:0.000} s (writer thread), index {t.Index.TotalSeconds:0.000} s; " +
        $"total {t.Total.TotalSeconds:0.000} s = {r.Lines / Math.Max(t.Total.TotalSeconds, 1e-9) / 1e6:0.00} M lines/s") +
        (t.ReaderCpu > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"; CPU: reader thread {t.ReaderCpu.TotalSeconds:0.000} s, writer thread {t.WriterCpu.TotalSeconds:0.000} s")
            : "");

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            if (_drawn) Console.Error.Write("\r\u001b[K");
        }
    }
}
