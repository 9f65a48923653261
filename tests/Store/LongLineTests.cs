using Dapper;
using PyMemTrace.Parser.Input;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Store;

/// <summary>Issue 10, point 6: a line longer than 16 MiB is one line; only its prefix is kept, later line numbers stay right.</summary>
public sealed class LongLineTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_four_line_log_with_a_40_MB_line_has_four_lines_and_the_event_after_it_keeps_its_line_number()
    {
        string log = _dir.File("long.log");
        using (var f = File.Create(log)) // generated here: 40 MB are not committed
        {
            f.Write("dtrace:::BEGIN\n"u8);
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'x');
            for (int i = 0; i < 40; i++) f.Write(chunk);
            f.Write("\n  7 a.py:3  -> f malloc(24) pntr 0x10\ndtrace:::END\n"u8);
        }
        var r = InProcess.Import(_dir.Db, log);
        Assert.Equal((4L, 1L, 1L, 2L), (r.Lines, r.Events, r.Unparsed, r.Notes));
        using var conn = InProcess.Read(_dir.Db);
        Assert.Equal(3L, conn.QuerySingle<long>("SELECT log_line FROM leaked_blocks"));
        Assert.Equal((2L, (long)LineReader.MaxLineBytes), conn.QuerySingle<(long, long)>("SELECT line, length(text) FROM unparsed"));
        Assert.Equal(new FileInfo(log).Length, conn.QuerySingle<long>("SELECT bytes FROM traces"));
    }
}
