using System.CommandLine;
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

    /// <summary>Refuses a number below <paramref name="minimum"/>; a value that is no number is left to the parser's own error.</summary>
    public static void AtLeast(Option option, long minimum) => option.Validators.Add(r =>
    {
        if (r.Tokens.Count == 1 && long.TryParse(r.Tokens[0].Value, out var v) && v < minimum)
            r.AddError($"{option.Name} must be {minimum} or more");
    });
}
