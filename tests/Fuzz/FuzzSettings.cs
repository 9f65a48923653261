namespace PyMemTrace.Tests.Fuzz;

/// <summary>
/// How much the fuzzer runs. The default test run samples a few hundred damaged logs; set PMANALYZE_FUZZ_CASES for many
/// thousands (docs/testing.md). A failure prints the CsCheck seed of the failing case: PMANALYZE_FUZZ_SEED=that replays it
/// first (CsCheck's own CsCheck_Seed works too).
/// </summary>
public static class FuzzSettings
{
    public const int DefaultCases = 300;

    public static int Cases { get; } = int.TryParse(Environment.GetEnvironmentVariable("PMANALYZE_FUZZ_CASES"), out var n) && n > 0 ? n : DefaultCases;

    public static string? Seed { get; } = Environment.GetEnvironmentVariable("PMANALYZE_FUZZ_SEED") is { Length: > 0 } s ? s : null;

    /// <summary>Long lines up to 1 MB in the default run, up to 6 MB in a large one.</summary>
    public static int MaxLongLine => Cases > DefaultCases ? 6 << 20 : 1 << 20;

    public const int MaxDamages = 6;

    /// <summary>The real executable is started for one case in this many (a process costs far more than an in-process import).</summary>
    public const int CasesPerProcess = 50;
}
