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
    public static string Bytes(long n) => n < 1024 ? $"{Number(n)} B" : $"{Number(n)} B ({ByteUnits.Format(n)})";
}
