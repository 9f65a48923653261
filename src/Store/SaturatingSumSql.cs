using System.Text;

namespace PyMemTrace.Store;

/// <summary>
/// SQLite's sum() fails with "integer overflow" on a total past 2^63 and total() is an inexact double, so schema.sql
/// writes byte sums as <c>saturating_sum(x)</c>, which this expands, when the schema is created, into plain SQL that
/// every SQLite runs (views users query with their own tools too): the high and low 32 bits of x are summed apart
/// (exact for any realistic row count) and recombined, and a total that does not fit 64 bits becomes ±(2^63 − 1).
/// </summary>
public static class SaturatingSumSql
{
    const string Name = "saturating_sum(";

    /// <summary>The SQL of saturating_sum(<paramref name="x"/>): exact where it fits, else ±9223372036854775807; NULL like sum().</summary>
    public static string Of(string x)
    {
        string high = $"(sum(({x}) >> 32) + (sum(({x}) & 4294967295) >> 32))", low = $"(sum(({x}) & 4294967295) & 4294967295)";
        return $"(CASE WHEN {high} > 2147483647 THEN 9223372036854775807 WHEN {high} < -2147483647 THEN -9223372036854775807 " +
               $"ELSE {high} * 4294967296 + {low} END)";
    }

    /// <summary>Schema text with every saturating_sum(...) expanded (arguments may hold parentheses, not strings with them).</summary>
    public static string Expand(string sql)
    {
        var sb = new StringBuilder(sql.Length);
        int at = 0;
        for (int found; (found = sql.IndexOf(Name, at, StringComparison.Ordinal)) >= 0;)
        {
            int start = found + Name.Length, depth = 1, i = start;
            for (; i < sql.Length && depth > 0; i++) depth += sql[i] == '(' ? 1 : sql[i] == ')' ? -1 : 0;
            if (depth > 0) throw new InvalidOperationException("schema.sql: saturating_sum( without its closing parenthesis");
            sb.Append(sql, at, found - at).Append(Of(sql[start..(i - 1)]));
            at = i;
        }
        return sb.Append(sql, at, sql.Length - at).ToString();
    }
}
