using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Cli;

/// <summary>The options every report shares: which database, which trace, which format, how many rows.</summary>
internal static class CommonOptions
{
    public static Option<string> Db() => new("--db") { Description = "The database file", DefaultValueFactory = _ => Database.DefaultPath };

    public static Option<string> Trace() => new("--trace") { Description = "Trace to report on: its id or its name (import --name); default: the latest import; see 'pmanalyze traces'" };

    public static Option<string> Format()
    {
        var o = new Option<string>("--format") { Description = "Output format: table, csv or json", DefaultValueFactory = _ => "table" };
        o.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (Renderers.ForFormat(v) is null) r.AddError($"unknown format '{v}' (use {string.Join(", ", Renderers.Formats)})");
        });
        return o;
    }

    public static Option<int?> Top()
    {
        var o = new Option<int?>("--top") { Description = "Show only the first N rows" };
        AtLeast(o, 1);
        return o;
    }

    public static Option<bool> Bytes() => new("--bytes") { Description = "Table output: byte counts as exact integers instead of KiB, MiB, GiB" };

    /// <summary>
    /// Every whole-number option under <paramref name="command"/> that has no parser of its own gets one whose error
    /// reads "--top: 'abc' is not a whole number", not .NET's "... as expected type 'System.Nullable`1[System.Int32]'".
    /// </summary>
    public static void PlainNumberErrors(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<int> o when o.CustomParser is null: o.CustomParser = r => WholeNumber<int>(r, o.Name) ?? (o.DefaultValueFactory is { } d ? d(r) : 0); break;
                case Option<long> o when o.CustomParser is null: o.CustomParser = r => WholeNumber<long>(r, o.Name) ?? (o.DefaultValueFactory is { } d ? d(r) : 0); break;
                case Option<int?> o when o.CustomParser is null: o.CustomParser = r => WholeNumber<int>(r, o.Name) ?? o.DefaultValueFactory?.Invoke(r); break;
                case Option<long?> o when o.CustomParser is null: o.CustomParser = r => WholeNumber<long>(r, o.Name) ?? o.DefaultValueFactory?.Invoke(r); break;
            }
        }
        foreach (var sub in command.Subcommands) PlainNumberErrors(sub);
    }

    static T? WholeNumber<T>(ArgumentResult result, string name) where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[0].Value;
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        result.AddError(!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)
            ? $"{name}: '{text}' is not a whole number"
            : big.Sign > 0 ? $"{name}: '{text}' is too large (at most {T.MaxValue})" : $"{name}: '{text}' is too small (at least {T.MinValue})");
        return null;
    }

    /// <summary>Refuses a number below <paramref name="minimum"/>; a value that is no number is left to the parser's own error.</summary>
    public static void AtLeast(Option option, long minimum) => option.Validators.Add(r =>
    {
        if (r.Tokens.Count == 1 && long.TryParse(r.Tokens[0].Value, out var v) && v < minimum)
            r.AddError($"{option.Name} must be {minimum} or more");
    });
}

/// <summary>
/// The filters a report takes (issue 13): --pid, --exclude GLOB (repeatable), --suppressions FILE, and the event window
/// --from/--to. A command adds the ones it supports; <see cref="Read"/> turns them into the reports' EventFilter.
/// </summary>
internal sealed class FilterOptions
{
    public Option<int?>? Pid { get; }
    public Option<string[]> Exclude { get; } = new("--exclude") { Description = "Leave out what was allocated at a file or function matching GLOB (* ? [..]), or under a call-stack frame matching it; repeatable", AllowMultipleArgumentsPerToken = false };
    public Option<string?> Suppressions { get; } = new("--suppressions") { Description = "A file of --exclude patterns, one a line (# comments), like valgrind's suppressions" };
    public Option<string?>? From { get; }
    public Option<string?>? To { get; }

    public FilterOptions(bool pid = true, bool window = true)
    {
        if (pid) Pid = new("--pid") { Description = "Only blocks and events of this pid" };
        if (!window) return;
        From = new("--from") { Description = "Window start: an event number (1-based), or seconds since the first time stamp as 1.5s (timed logs); counts what was allocated from it on" };
        To = new("--to") { Description = "Window end: an event number, or seconds as 3s (timed logs); counts what was still live right after it" };
    }

    public IEnumerable<Option> All() => new Option?[] { Pid, Exclude, Suppressions, From, To }.OfType<Option>();

    public PyMemTrace.Reports.Queries.EventFilter Read(ParseResult pr, int? pid = null)
    {
        var patterns = (pr.GetValue(Exclude) ?? []).ToList();
        if (pr.GetValue(Suppressions) is { } file) patterns.AddRange(PyMemTrace.Reports.Queries.EventFilter.ReadSuppressions(file));
        var (from, fromSeconds) = WindowEdge(pr, From);
        var (to, toSeconds) = WindowEdge(pr, To);
        return new(Pid is null ? pid : pr.GetValue(Pid), patterns, from, to) { FromSeconds = fromSeconds, ToSeconds = toSeconds };
    }

    /// <summary>An event number ("2500") or seconds ("1.5s": a number and s, never mistaken for an event number).</summary>
    static (long? Event, double? Seconds) WindowEdge(ParseResult pr, Option<string?>? option)
    {
        if (option is null || pr.GetValue(option) is not { } text) return (null, null);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (long.TryParse(text, System.Globalization.NumberStyles.None, invariant, out var n) && n >= 1) return (n, null);
        if (text.EndsWith('s') && double.TryParse(text[..^1], System.Globalization.NumberStyles.AllowDecimalPoint, invariant, out var s) && double.IsFinite(s))
            return (null, s);
        throw new UsageException($"{option.Name} takes an event number (1 or more) or seconds such as 1.5s (got '{text}')");
    }
}
