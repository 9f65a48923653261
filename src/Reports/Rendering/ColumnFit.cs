namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// Which columns of a table a terminal shows, and how wide: numbers are never cut (a cut number lies), text columns
/// shrink (the widest first) down to their header or <see cref="Narrowest"/> columns, and when even that does not fit,
/// columns are left out: the table's DropFirst list in order, then from the right; the first column always stays.
/// </summary>
internal static class ColumnFit
{
    public const int Gap = 2;
    public const int Narrowest = 16;

    public sealed record Layout(int[] Shown, int[] Widths, string[] LeftOut);

    /// <param name="natural">Each column's widest cell or header, in terminal columns.</param>
    /// <param name="header">Each header's width.</param>
    /// <param name="cuttable">Whether a column's cells may be cut (text), or must stay whole (numbers, flags).</param>
    public static Layout Fit(IReadOnlyList<string> names, int[] natural, int[] header, bool[] cuttable, IReadOnlyList<string> dropFirst, int? width)
    {
        int n = names.Count;
        var shown = Enumerable.Range(0, n).ToList();
        if (width is not { } total) return new Layout([.. shown], natural, []);
        var min = Enumerable.Range(0, n).Select(i => cuttable[i] ? Math.Min(natural[i], Math.Max(header[i], Narrowest)) : natural[i]).ToArray();
        var dropOrder = dropFirst.Select(d => names.ToList().IndexOf(d)).Where(i => i > 0)
            .Concat(Enumerable.Range(1, Math.Max(0, n - 1)).Reverse()).Distinct().ToList();
        var leftOut = new List<int>();
        foreach (var drop in dropOrder)
        {
            if (Sum(shown, min) <= total) break;
            shown.Remove(drop);
            leftOut.Add(drop);
        }
        var widths = (int[])natural.Clone();
        if (Sum(shown, natural) > total) Shrink(shown, natural, min, cuttable, total, widths);
        return new Layout([.. shown], widths, leftOut.Select(i => names[i]).ToArray());
    }

    /// <summary>Caps the cuttable columns at the largest common width that fits, then hands out what is left one by one.</summary>
    static void Shrink(List<int> shown, int[] natural, int[] min, bool[] cuttable, int total, int[] widths)
    {
        int Capped(int i, int cap) => cuttable[i] ? Math.Max(min[i], Math.Min(natural[i], cap)) : natural[i];
        int low = 0, high = shown.Max(i => natural[i]);
        while (low < high)
        {
            int mid = (low + high + 1) / 2;
            if (shown.Sum(i => Capped(i, mid)) + Gap * (shown.Count - 1) <= total) low = mid;
            else high = mid - 1;
        }
        foreach (var i in shown) widths[i] = Capped(i, low);
        int spare = total - Sum(shown, widths);
        foreach (var i in shown.Where(i => cuttable[i] && widths[i] < natural[i]))
        {
            if (spare <= 0) break;
            widths[i]++;
            spare--;
        }
    }

    static int Sum(List<int> shown, int[] widths) => shown.Sum(i => widths[i]) + Gap * Math.Max(0, shown.Count - 1);
}
