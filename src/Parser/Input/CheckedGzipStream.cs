using System.Buffers.Binary;
using System.IO.Compression;

namespace PyMemTrace.Parser.Input;

/// <summary>
/// Decompresses gzip data and tells when it could not be read to its end: damaged data stops the reading (instead of
/// an exception), and data cut short is noticed by what stands where the trailer should be. GZipStream alone reports
/// a cut-short file as a clean end. What came before the problem is read normally; gzip data that yields nothing at
/// all is an input error (TraceInputException), not an empty log.
/// </summary>
public sealed class CheckedGzipStream : ReadOnlyStream, IInputCheck
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

    public string? Problem { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.IsEmpty) return 0;
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            if (_decompressed == 0) throw new TraceInputException($"the file starts like gzip data but cannot be decompressed ({e.Message})");
            Problem = $"the gzip data is damaged after {_decompressed} bytes of log; the lines before that were read";
            _ended = true;
            return 0;
        }
        if (n == 0)
        {
            _ended = true;
            if (!_compressed.EndsLikeWholeData(_decompressed))
            {
                if (_decompressed == 0) throw new TraceInputException("the file starts like gzip data but ends before any of it could be decompressed");
                Problem = $"the gzip data ends early, after {_decompressed} bytes of log (a file cut short?); the lines before that were read";
            }
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

        /// <summary>
        /// Whole gzip data ends with a trailer whose last four bytes are the size of its last member: all that was
        /// decompressed (modulo 2^32) for one member, less for several (gzip &gt;&gt;, bgzip), 0 for zero padding.
        /// Data cut short ends inside compressed bytes, which read as a size larger than all that was decompressed
        /// except by chance (S / 4 GiB for S bytes of log; above 4 GiB a cut goes unnoticed rather than a whole file
        /// being doubted).
        /// </summary>
        public bool EndsLikeWholeData(long decompressed)
        {
            if (_read < 20) return false; // the smallest gzip file: a 10-byte header, an empty deflate block, the trailer
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(_tail.AsSpan(4));
            return size == (uint)decompressed || size <= decompressed;
        }

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
