namespace PyMemTrace.Parser.Input;

/// <summary>A read-only stream that gives some bytes already read (a peeked prefix) before the rest of another stream.</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream rest) : ReadOnlyStream
{
    int _offset;

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - _offset);
            prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
        return rest.Read(buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) rest.Dispose();
        base.Dispose(disposing);
    }
}
