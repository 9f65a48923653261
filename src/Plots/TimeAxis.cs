using PyMemTrace.Reports;

namespace PyMemTrace.Plots;

/// <summary>
/// The x axis of a timeline: seconds since the first time stamp when every point has them (a timed trace's timeline
/// carries a seconds column), else event numbers. <see cref="ChartData.WithXAxis"/> is plot's --x.
/// </summary>
internal sealed record TimeAxis(Func<RowView, double> X, string Label, bool Seconds)
{
    public static TimeAxis For(IReadOnlyList<RowView> rows) =>
        rows.Count > 0 && rows.All(r => r.Has("seconds") && r["seconds"] is double)
            ? new(r => r.Number("seconds"), "seconds since the first time stamp", true)
            : new(r => r.Number("event"), "event number", false);
}
