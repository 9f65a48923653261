using System.Text;
using PyMemTrace.Reports.Queries;

namespace PyMemTrace.Reports.Rendering.Html;

/// <summary>
/// The report's first block: what leaked (human units), the top leak site and its stack, the peak, and in the same
/// sentence as the leak figure, what keeps the numbers from being trusted as they stand (a log not whole, DTrace
/// drops, several processes added up).
/// </summary>
internal static class Verdict
{
    /// <summary>The innermost frames of the top leaking stack shown in the verdict; the whole stack is its tooltip and in the flame graph.</summary>
    const int StackFrames = 5;

    public static void Write(StringBuilder html, TraceReportData data)
    {
        var s = data.Summary;
        long Get(string c) => s.Rows.Count == 0 ? 0 : Convert.ToInt64(s.Rows[0][s.IndexOf(c)] ?? 0L);
        string? problem = s.Rows.Count == 0 ? null : s.Rows[0][s.IndexOf("input_problem")] as string;
        bool drops = s.Rows.Count > 0 && s.Rows[0][s.IndexOf("dropped_records_suspected")] is true;
        long leaked = Get("bytes_outstanding"), blocks = Get("leaked_blocks"), pids = data.Pids.Rows.Count;

        var caveats = new List<string>();
        if (problem is not null) caveats.Add($"the log is not whole ({HtmlText.Encode(problem)})");
        if (drops) caveats.Add("DTrace lost records while tracing, so events are missing and every figure may be short (see the warnings)");
        else if (Get("missed_frees") > 0) caveats.Add($"{HtmlText.Count(Get("missed_frees"), "free was", "frees were")} missed (a pointer came back while still live)");
        if (pids > 1) caveats.Add($"these are {pids} processes added up (each one below)");

        html.Append($"<div class=\"verdict{(caveats.Count > 0 ? " caveat" : "")}\">\n<p class=\"headline\" id=\"headline\">");
        html.Append(leaked > 0 || blocks > 0
            ? $"<b id=\"leaked-bytes\" data-v=\"{leaked}\">{HtmlText.Reading(leaked)}</b> never freed in {HtmlText.Count(blocks, "block", "blocks")}"
            : "Nothing leaked: every block allocated in the trace was freed");
        html.Append(caveats.Count > 0
            ? " — but " + string.Join("; ", caveats) + (problem is not null ? ", so blocks still live where it stops need not be leaks." : ".")
            : ". The log was read whole and no drops were reported.");
        html.Append("</p>\n<ul class=\"facts-list\">\n");

        var leaks = data.Part("leaks").Table;
        if (leaks.Rows.Count > 0)
        {
            var top = leaks.Rows[0];
            long bytes = Convert.ToInt64(top[leaks.IndexOf("bytes")]), count = Convert.ToInt64(top[leaks.IndexOf("count")]);
            html.Append($"<li>Top leak site: <b id=\"top-leak\">{HtmlText.Encode($"{top[leaks.IndexOf("file")]}:{top[leaks.IndexOf("line")]} {top[leaks.IndexOf("function")]}")}</b>")
                .Append($", {HtmlText.Reading(bytes)} in {HtmlText.Count(count, "block", "blocks")}")
                .Append(leaked > 0 ? $" ({HtmlText.Percent(bytes / (double)leaked)} of what leaked)" : "").Append(".</li>\n");
        }
        if (data.Weight("leaked") is { Stacks.Count: > 0 } byStack && byStack.Stacks[0].Frames is var frames && frames[0] != FlameWeights.NoStack)
        {
            var stack = byStack.Stacks[0];
            var shown = frames.Count <= StackFrames ? frames : frames.Skip(frames.Count - StackFrames).ToList();
            string elided = frames.Count > shown.Count ? $"… {frames.Count - shown.Count} outer frames → " : "";
            html.Append($"<li>Top leaking call stack: <span class=\"stack\" id=\"top-leak-stack\" title=\"{string.Join(" → ", frames.Select(HtmlText.Encode))}\">{elided}{string.Join(" → ", shown.Select(HtmlText.Encode))}</span>")
                .Append($", {HtmlText.Reading(stack.Bytes)} in {HtmlText.Count(stack.Count, "block", "blocks")}.</li>\n");
        }
        long peak = Get("peak_bytes");
        html.Append($"<li>Peak: <b id=\"peak-bytes\" data-v=\"{peak}\">{HtmlText.Reading(peak)}</b> live in {HtmlText.Count(data.PeakLiveBlocks, "block", "blocks")}");
        if (Get("peak_event") > 0) html.Append($" after event <b id=\"peak-event\">{Get("peak_event")}</b> (log line <b id=\"peak-line\">{Get("peak_line")}</b>)");
        if (data.PeakHolders is { Rows.Count: > 0 } holders)
        {
            var h = holders.Rows[0];
            long held = Convert.ToInt64(h[holders.IndexOf("bytes")]);
            html.Append($"; held most by <b id=\"peak-holder\">{HtmlText.Encode($"{h[holders.IndexOf("file")]}:{h[holders.IndexOf("line")]} {h[holders.IndexOf("function")]}")}</b>")
                .Append($" ({HtmlText.Reading(held)}, {HtmlText.Percent(peak > 0 ? held / (double)peak : 0)})");
        }
        html.Append(".</li>\n");
        html.Append($"<li>Requested in all: {HtmlText.Reading(Get("bytes_allocated"))} in {HtmlText.Count(Get("allocs") + Get("reallocs"), "allocation", "allocations")}, {HtmlText.Reading(Get("bytes_freed"))} freed.</li>\n");
        html.Append("</ul>\n</div>\n");
    }
}
