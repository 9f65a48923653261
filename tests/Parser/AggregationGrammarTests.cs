using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Tests.Parser;

public class AggregationGrammarTests
{
    [Theory]
    [InlineData("           value  ------------- Distribution ------------- count")]
    [InlineData("           value  ------------- Distribution ------------- count    ")]
    public void Table_headers(string line) => Assert.True(AggregationGrammar.IsTableHeader(line));

    [Theory]
    [InlineData("             512 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1", 512L, 1L, null)]
    [InlineData("               0 |                                         0   ", 0L, 0L, null)]
    [InlineData("            1024 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         4", 1024L, 4L, null)]
    [InlineData("             < 0 |                                         0", 0L, 0L, "<")]
    [InlineData("        >= 46060 |@                                        12", 46060L, 12L, ">=")]
    public void Bucket_rows(string line, long value, long count, string? bound) =>
        Assert.Equal(new Bucket(value, count, bound), AggregationGrammar.TryParseRow(line));

    [Theory]
    [InlineData("   python`_PyObject_Realloc, total bytes = 608", new[] { "python`_PyObject_Realloc" }, 608L)]
    [InlineData("   ex_dtrace.py, create_cmalloc_list, bytes total = 5909", new[] { "ex_dtrace.py", "create_cmalloc_list" }, 5909L)]
    [InlineData("   site.py, addsitepackages, bytes total = 4 ", new[] { "site.py", "addsitepackages" }, 4L)]
    public void Key_lines_with_totals(string line, string[] key, long total)
    {
        var (k, t) = AggregationGrammar.ParseKey(line);
        Assert.Equal(key, k);
        Assert.Equal(total, t);
    }

    [Fact]
    public void A_key_line_without_total_is_one_column()
    {
        var (key, total) = AggregationGrammar.ParseKey("  bufmod        ");
        Assert.Equal(["bufmod"], key);
        Assert.Null(total);
    }
}
