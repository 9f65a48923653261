using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace PyMemTrace.Parser.Input;

/// <summary>
/// Streams a log as numbered lines without reading it whole. Lines end at '\n'; a trailing '\r' is dropped;
/// a last line without newline still counts. Each line is decoded as UTF-8 where valid, else as Latin-1,
/// so garbage bytes, NULs and control characters all survive. The SHA-256 of the bytes is computed on the way.
/// A line longer than <see cref="MaxLineBytes"/> (no DTrace line is; a binary file may hold one) is still one line:
/// only its first MaxLineBytes bytes are handed on (<see cref="LineIsTruncated"/>), the rest is read, hashed and
/// counted but not kept, so memory stays bounded and every later line keeps its number.
/// </summary>
public sealed class LineReader
{
    const int ChunkSize = 1 << 18;
    public const int MaxLineBytes = 16 << 20;
    readonly Stream _stream;
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    byte[] _buffer = new byte[ChunkSize];
    int _start, _end;
    bool _eof, _skippingRest; // _skippingRest: the line handed on last was a prefix; its rest is still to be passed over

    long _lineCount, _byteCount, _readTicks;
    string? _readError;

    public long LineCount => _lineCount;
    /// <summary>
    /// The line just read is the last one, without its newline, of input that was not read to its end: it stops where
    /// the input stopped, so it is no whole line.
    /// </summary>
    public bool LineIsCut { get; private set; }

    /// <summary>The line just read was longer than <see cref="MaxLineBytes"/>: it is its first MaxLineBytes bytes.</summary>
    public bool LineIsTruncated { get; private set; }

    /// <summary>Why the input was not read to its end (a read error, damaged or cut-short gzip data); null when it was.</summary>
    public string? Problem => _readError ?? (_stream as IInputCheck)?.Problem;
    /// <summary>Bytes read so far; safe to read from another thread (for progress).</summary>
    public long ByteCount => Volatile.Read(ref _byteCount);
    /// <summary>Time spent reading the stream and hashing it (decompression included).</summary>
    public TimeSpan ReadTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, _readTicks);

    public LineReader(Stream stream) => _stream = stream;

    /// <summary>Hex SHA-256 of every byte read so far; call after the last line.</summary>
    public string ContentHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public bool TryReadLine(out string line)
    {
        bool read = TryReadLineBytes(out var bytes);
        line = read ? Decode(bytes) : "";
        return read;
    }

    /// <summary>
    /// The next line's bytes, without its newline and trailing '\r'; valid until the next read. <see cref="Decode"/>
    /// gives the text <see cref="TryReadLine"/> would have given.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLineBytes(out ReadOnlySpan<byte> line)
    {
        if (_skippingRest) SkipRestOfLine();
        LineIsTruncated = false;
        while (true)
        {
            int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0 && nl <= MaxLineBytes)
            {
                line = WithoutCr(_buffer.AsSpan(_start, nl));
                _start += nl + 1;
                _lineCount++;
                return true;
            }
            if (nl > MaxLineBytes || _end - _start > MaxLineBytes) // no newline within the limit: hand on the prefix, pass over the rest later
            {
                line = _buffer.AsSpan(_start, MaxLineBytes);
                LineIsTruncated = _skippingRest = true;
                _start += MaxLineBytes;
                _lineCount++;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    line = WithoutCr(_buffer.AsSpan(_start, _end - _start));
                    LineIsCut = Problem is not null;
                    _start = _end;
                    _lineCount++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    /// <summary>Passes over the rest of a truncated line, up to and including its newline (or the end of the input).</summary>
    void SkipRestOfLine()
    {
        while (true)
        {
            int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _start += nl + 1;
                break;
            }
            _start = _end;
            if (_eof) break;
            Fill();
        }
        _skippingRest = false;
    }

    static ReadOnlySpan<byte> WithoutCr(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;

    void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes + ChunkSize)); // a long line
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int n;
        try
        {
            n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (IOException e) // a failing disk or a network file gone: keep what was read, say why it stops
        {
            if (_byteCount == 0) throw new TraceInputException($"cannot read the log: {e.Message}");
            _readError = $"reading stopped after {_byteCount} bytes ({e.Message}); the lines before that were read";
            n = 0;
        }
        if (n > 0) _hash.AppendData(_buffer, _end, n);
        _readTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
        if (n == 0) { _eof = true; return; }
        Volatile.Write(ref _byteCount, _byteCount + n);
        _end += n;
    }

    /// <summary>A line's text: UTF-8 where valid, else Latin-1.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Ascii.IsValid(bytes)) return Encoding.ASCII.GetString(bytes);
        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }
}
