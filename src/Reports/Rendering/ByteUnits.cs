using System.Globalization;

namespace PyMemTrace.Reports.Rendering;

/// <summary>Binary units for reading byte counts (B, KiB, MiB, GiB); the exact count always stays next to the rounded one.</summary>
public static class ByteUnits
{
    public readonly record struct Unit(string Name, double Divisor);

    static readonly Unit[] Units = [new("B", 1), new("KiB", 1024), new("MiB", 1024 * 1024), new("GiB", 1024.0 * 1024 * 1024)];

    /// <summary>The largest unit in which <paramref name="bytes"/> is at least 1.</summary>
    public static Unit For(double bytes) => Units.Last(u => u.Divisor == 1 || Math.Abs(bytes) >= u.Divisor);

    /// <summary>"1.5 MiB", "512 B".</summary>
    public static string Format(long bytes)
    {
        var u = For(bytes);
        return u.Divisor == 1 ? $"{bytes} B" : (bytes / u.Divisor).ToString("0.##", CultureInfo.InvariantCulture) + " " + u.Name;
    }
}
