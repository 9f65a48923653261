namespace PyMemTrace.Store;

/// <summary>
/// Sorts items by 64-bit keys that are not negative, ascending and stable: a radix sort, 16 bits of the key a pass,
/// as many passes as the largest key needs. It puts the kept tables in index order at the end of an import (482 k
/// contexts, up to a million sites). Written here, not taken from Array.Sort, because CoreLib's sorts over these
/// element types have no ahead-of-time code: they ran as first-tier JIT code, half the time of storing the contexts.
/// </summary>
internal static class KeySort
{
    const int DigitBits = 16, Digits = 1 << DigitBits, DigitMask = Digits - 1;

    /// <summary>Reorders <paramref name="keys"/> ascending and <paramref name="items"/> with them; equal keys keep their order.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length, or a key is negative.</exception>
    public static void Ascending(long[] keys, int[] items)
    {
        if (keys.Length != items.Length) throw new ArgumentException("keys and items differ in length");
        long max = 0;
        foreach (long key in keys)
        {
            if (key < 0) throw new ArgumentException($"a negative key ({key}) cannot be sorted here");
            max = Math.Max(max, key);
        }
        if (keys.Length < 2 || max == 0) return;
        long[] fromKeys = keys, toKeys = new long[keys.Length];
        int[] fromItems = items, toItems = new int[items.Length];
        var starts = new int[Digits];
        for (int shift = 0; shift < 64 && (max >> shift) != 0; shift += DigitBits)
        {
            Array.Clear(starts);
            foreach (long key in fromKeys) starts[(int)(key >> shift) & DigitMask]++;
            for (int d = 0, sum = 0; d < Digits; d++) (starts[d], sum) = (sum, sum + starts[d]);
            for (int i = 0; i < fromKeys.Length; i++)
            {
                int at = starts[(int)(fromKeys[i] >> shift) & DigitMask]++;
                toKeys[at] = fromKeys[i];
                toItems[at] = fromItems[i];
            }
            (fromKeys, toKeys) = (toKeys, fromKeys);
            (fromItems, toItems) = (toItems, fromItems);
        }
        if (!ReferenceEquals(fromKeys, keys))   // an odd number of passes: the sorted order is in the scratch arrays
        {
            fromKeys.CopyTo(keys, 0);
            fromItems.CopyTo(items, 0);
        }
    }
}
