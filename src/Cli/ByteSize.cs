using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PyMemTrace.Cli;

/// <summary>
/// A size as people write it: 1048576, 1MiB, 1.5 MB, 512KiB. KB, MB, GB, TB are powers of 1000, KiB, MiB, GiB, TiB
/// powers of 1024 (as in IEC 80000-13); a bare number or B is bytes. Case is ignored.
/// </summary>
internal static partial class ByteSize
{
    static readonly Dictionary<string, decimal> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = 1, ["B"] = 1,
        ["KB"] = 1000m, ["MB"] = 1000m * 1000, ["GB"] = 1000m * 1000 * 1000, ["TB"] = 1000m * 1000 * 1000 * 1000,
        ["KiB"] = 1024m, ["MiB"] = 1024m * 1024, ["GiB"] = 1024m * 1024 * 1024, ["TiB"] = 1024m * 1024 * 1024 * 1024,
    };

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Shape();

    /// <summary>The bytes <paramref name="text"/> stands for, or null with the reason why it is no size.</summary>
    public static long? Parse(string text, out string? problem, bool negative = false)
    {
        problem = null;
        var trimmed = text.Trim();
        if (negative && trimmed.StartsWith('-'))
            return Parse(trimmed[1..], out problem) is { } magnitude ? -magnitude : null;
        var m = Shape().Match(text);
        if (!m.Success || !Units.TryGetValue(m.Groups[2].Value, out var unit))
        {
            problem = text.TrimStart().StartsWith('-') ? "must be 0 or more" : $"'{text}' is not a size (examples: 1048576, 512KiB, 1MiB, 2.5MB, 1GiB)";
            return null;
        }
        if (!decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number * unit > long.MaxValue)
        {
            problem = $"'{text}' is too large";
            return null;
        }
        return (long)decimal.Round(number * unit, MidpointRounding.AwayFromZero);
    }

    /// <summary>An option that takes a size with units; a negative one only when <paramref name="negative"/> (a growth that must be a shrink).</summary>
    public static Option<long?> Option(string name, string description, bool negative = false) => new(name)
    {
        Description = description + " (bytes, or with a unit: 512KiB, 1MiB, 2MB, 1GiB)",
        HelpName = "SIZE",
        CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            var bytes = Parse(text, out var problem, negative);
            if (problem is not null) r.AddError($"{name} {problem}");
            return bytes;
        },
    };
}
