using System.Globalization;

namespace PyMemTrace.Reports.Rendering;

/// <summary>Binary units for reading byte counts (B, KiB, MiB, GiB); the exact count always stays next to the rounded one.</summary>
public static class ByteUnits
{
    public readonly record struct Unit(string Name, double Divisor);

    static readonly Unit[] Units = [new("B", 1), new("KiB", 1024), new("MiB", 1024 * 1024), new("GiB", 1024.0 * 1024 * 1024),
        new("TiB", Math.Pow(1024, 4)), new("PiB", Math.Pow(1024, 5)), new("EiB", Math.Pow(1024, 6))];

    /// <summary>The largest unit in which <paramref name="bytes"/> is at least 1.</summary>
    public static Unit For(double bytes) => Units.Last(u => u.Divisor == 1 || Math.Abs(bytes) >= u.Divisor);

    /// <summary>"1.5 MiB", "512 B"; a total saturated at 2^63 − 1 (docs/schema.md, Numbers) as "≥ 8 EiB".</summary>
    public static string Format(long bytes)
    {
        var u = For(bytes);
        return Bound(bytes) + (u.Divisor == 1 ? $"{bytes} B" : (bytes / u.Divisor).ToString("0.##", CultureInfo.InvariantCulture) + " " + u.Name);
    }

    /// <summary>±(2^63 − 1) stands for "this much or more" (a saturated total): the human figure says so.</summary>
    static string Bound(long bytes) => bytes >= long.MaxValue ? "≥ " : bytes <= -long.MaxValue ? "≤ " : "";

    /// <summary>
    /// For a table column, as heaptrack_print writes them: "7.84 GiB", "1.50 KiB", always two decimals above 1 KiB;
    /// "512 B  " exact below, the unit padded so that the digits of a right-aligned column line up; a saturated total
    /// "≥ 8.00 EiB".
    /// </summary>
    public static string Aligned(long bytes)
    {
        var u = For(bytes);
        return Bound(bytes) + (u.Divisor == 1
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B  "
            : (bytes / u.Divisor).ToString("0.00", CultureInfo.InvariantCulture) + " " + u.Name);
    }

    /// <summary>
    /// Whether a report column holds a byte count, by the naming rule in docs/reports.md: "bytes", "bytes_*", "*_bytes", "size",
    /// "*_size", "max_alloc", and sizes' "bucket".
    /// </summary>
    public static bool IsByteColumn(string name) => name is "bytes" or "size" or "max_alloc" or "bucket"
        || name.StartsWith("bytes_", StringComparison.Ordinal) || name.EndsWith("_bytes", StringComparison.Ordinal) || name.EndsWith("_size", StringComparison.Ordinal);
}
