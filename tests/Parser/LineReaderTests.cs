using System.Text;
using PyMemTrace.Parser.Input;

namespace PyMemTrace.Tests.Parser;

public class LineReaderTests
{
    static List<string> Lines(byte[] bytes)
    {
        var reader = new LineReader(new MemoryStream(bytes));
        var lines = new List<string>();
        while (reader.TryReadLine(out var line)) lines.Add(line);
        Assert.Equal(lines.Count, reader.LineCount);
        Assert.Equal(bytes.Length, reader.ByteCount);
        return lines;
    }

    [Fact]
    public void Crlf_and_a_last_line_without_newline() =>
        Assert.Equal(["a", "b", "c"], Lines("a\r\nb\r\nc"u8.ToArray()));

    [Fact]
    public void A_trailing_newline_does_not_make_an_extra_line() =>
        Assert.Equal(["a", ""], Lines("a\n\n"u8.ToArray()));

    [Fact]
    public void Empty_input_has_no_lines() => Assert.Empty(Lines([]));

    [Fact]
    public void Valid_utf8_is_decoded_as_utf8_and_invalid_bytes_as_latin1()
    {
        var bytes = Encoding.UTF8.GetBytes("é\n").Concat(new byte[] { 0xe9, 0x41, 0x0a, 0x00, 0x01, 0x7f, 0x0a }).ToArray();
        Assert.Equal(["é", "éA", "\0\u0001\u007f"], Lines(bytes));
    }

    [Fact]
    public void A_line_longer_than_the_read_buffer_is_whole()
    {
        var longLine = new string('x', 300_000);
        Assert.Equal([longLine, "y"], Lines(Encoding.ASCII.GetBytes(longLine + "\ny\n")));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_one_line_cut_to_its_prefix()
    {
        var bytes = new byte[LineReader.MaxLineBytes * 2 + 1000 + 4];
        bytes.AsSpan(0, bytes.Length - 4).Fill((byte)'x');
        "\ny\nz"u8.CopyTo(bytes.AsSpan(bytes.Length - 4));
        var reader = new LineReader(new MemoryStream(bytes));
        var lines = new List<(int Length, bool Truncated)>();
        while (reader.TryReadLineBytes(out var line)) lines.Add((line.Length, reader.LineIsTruncated));
        Assert.Equal([(LineReader.MaxLineBytes, true), (1, false), (1, false)], lines);
        Assert.Equal((3L, (long)bytes.Length), (reader.LineCount, reader.ByteCount));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), reader.ContentHash());
    }

    [Theory]
    [InlineData(0)]  // exactly the limit: whole, not truncated
    [InlineData(1)]  // one byte more: truncated
    public void A_line_at_the_limit_is_whole_and_one_byte_more_is_truncated(int extra)
    {
        foreach (bool lastLine in new[] { false, true })
        {
            var bytes = Encoding.ASCII.GetBytes(new string('x', LineReader.MaxLineBytes + extra) + (lastLine ? "" : "\nend"));
            var reader = new LineReader(new MemoryStream(bytes));
            Assert.True(reader.TryReadLineBytes(out var line));
            Assert.Equal((LineReader.MaxLineBytes, extra > 0), (line.Length, reader.LineIsTruncated));
            Assert.Equal(!lastLine, reader.TryReadLine(out var next) && next == "end");
            Assert.False(reader.TryReadLine(out _));
        }
    }

    [Fact]
    public void The_content_hash_is_the_sha256_of_the_bytes()
    {
        var bytes = "dtrace:::BEGIN\n"u8.ToArray();
        var reader = new LineReader(new MemoryStream(bytes));
        while (reader.TryReadLine(out _)) { }
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), reader.ContentHash());
    }

    /// <summary>A stream that gives its bytes, then fails as a dying disk would.</summary>
    sealed class FailingAfter(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            Position < Length ? base.Read(buffer, offset, count) : throw new IOException("Input/output error");
    }

    [Fact]
    public void A_read_error_keeps_the_lines_before_it_and_says_why()
    {
        var reader = new LineReader(new FailingAfter("a\nb\nhalf a li"u8.ToArray()));
        var lines = new List<string>();
        while (reader.TryReadLine(out var line))
            if (!reader.LineIsCut) lines.Add(line);
        Assert.Equal(["a", "b"], lines);
        Assert.Equal(3, reader.LineCount);
        Assert.Equal("reading stopped after 13 bytes (Input/output error); the lines before that were read", reader.Problem);
    }

    [Fact]
    public void A_last_line_without_newline_is_whole_when_the_input_was_read_to_its_end()
    {
        var reader = new LineReader(new MemoryStream("a\nb"u8.ToArray()));
        while (reader.TryReadLine(out _)) Assert.False(reader.LineIsCut);
        Assert.Null(reader.Problem);
    }

    [Fact]
    public void A_read_error_before_any_byte_is_an_input_error() =>
        Assert.Throws<TraceInputException>(() => new LineReader(new FailingAfter([])).TryReadLine(out _));
}
