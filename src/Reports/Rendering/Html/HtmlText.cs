using System.Globalization;
using System.Net;
using System.Text;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>Everything a log put into the page goes through here: HTML-escaped, control characters made visible.</summary>
internal static class HtmlText
{
    public static string Encode(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        if (s.Any(char.IsControl))
        {
            var sb = new StringBuilder(s.Length + 8);
            foreach (var c in s) sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
            s = sb.ToString();
        }
        return WebUtility.HtmlEncode(s);
    }

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Exact bytes with the rounded reading beside it: "106,606,722 B (101.67 MiB)".</summary>
    public static string Bytes(long n) => n < 1024 ? $"{Number(n)} B" : $"{Number(n)} B ({Human(n)})";

    /// <summary>The reading first, the exact count after it: "101.67 MiB (106,606,722 B)"; the verdict's form.</summary>
    public static string Reading(long n) => n < 1024 ? $"{Number(n)} B" : $"{Human(n)} <small>({Number(n)} B)</small>";

    /// <summary>Bytes in the largest binary unit, always two decimals ("4.00 KiB"): one precision in every column.</summary>
    public static string Human(long n)
    {
        var u = ByteUnits.For(n);
        return u.Divisor == 1 ? $"{n} B" : (n / u.Divisor).ToString("0.00", CultureInfo.InvariantCulture) + " " + u.Name;
    }

    /// <summary>"1 block", "3 blocks".</summary>
    public static string Count(long n, string one, string many) => $"{Number(n)} {(n == 1 ? one : many)}";

    public static string Percent(double share) => (100 * share).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
