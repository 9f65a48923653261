using System.Buffers.Binary;
using System.IO.Compression;

namespace PyMemTrace.Parser.Input;

/// <summary>
/// Decompresses gzip data and tells when it could not be read to its end: damaged data stops the reading (instead of
/// an exception) and a stream that ends before its trailer is noticed, because the trailer's size field (the last
/// four bytes, the data's length modulo 2^32) then disagrees with what was decompressed. GZipStream alone reports a
/// cut-short file as a clean end. What came before the problem is read normally.
/// </summary>
public sealed class CheckedGzipStream : ReadOnlyStream
{
    readonly TailKeepingStream _compressed;
    readonly GZipStream _gzip;
    long _decompressed;
    bool _ended;

    public CheckedGzipStream(Stream compressed)
    {
        _compressed = new TailKeepingStream(compressed);
        _gzip = new GZipStream(_compressed, CompressionMode.Decompress);
    }

    /// <summary>Why the data was not read to its end; null while it was.</summary>
    public string? Problem { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.IsEmpty) return 0;
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException)
        {
            Problem = $"the gzip data is damaged after {_decompressed} bytes of log; the lines before that were imported";
            _ended = true;
            return 0;
        }
        if (n == 0)
        {
            _ended = true;
            if (!_compressed.EndsWithTrailerOf(_decompressed))
                Problem = $"the gzip data ends early, after {_decompressed} bytes of log (a file cut short, or several gzip files joined); the lines before that were imported";
        }
        _decompressed += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Passes reads through, keeping the last eight bytes: a gzip trailer when the data is whole.</summary>
    sealed class TailKeepingStream(Stream inner) : ReadOnlyStream
    {
        readonly byte[] _tail = new byte[8];
        long _read;

        public bool EndsWithTrailerOf(long decompressed) =>
            _read >= 20 // the smallest gzip file: a 10-byte header, an empty deflate block, the trailer
            && BinaryPrimitives.ReadUInt32LittleEndian(_tail.AsSpan(4)) == (uint)decompressed;

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            if (n >= 8) buffer.Slice(n - 8, 8).CopyTo(_tail);
            else if (n > 0)
            {
                _tail.AsSpan(n).CopyTo(_tail); // shift the older bytes left, append the new ones
                buffer[..n].CopyTo(_tail.AsSpan(8 - n));
            }
            _read += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
