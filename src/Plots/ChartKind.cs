namespace PyMemTrace.Plots;

/// <summary>The figures pmanalyze draws, each from one report table.</summary>
public enum ChartKind { Timeline, Sizes, Functions, Leaks, SiteTimeline }
