using System.CommandLine;
using PyMemTrace.Reports.Rendering;
using PyMemTrace.Store;

namespace PyMemTrace.Cli;

/// <summary>The options every report shares: which database, which trace, which format, how many rows.</summary>
internal static class CommonOptions
{
    public static Option<string> Db() => new("--db") { Description = "The database file", DefaultValueFactory = _ => Database.DefaultPath };

    public static Option<long?> Trace() => new("--trace") { Description = "Trace id to report on (default: the latest import; see 'pmanalyze traces')" };

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
        o.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--top must be 1 or more"); });
        return o;
    }
}
