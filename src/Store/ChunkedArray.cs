namespace PyMemTrace.Store;

/// <summary>
/// A growable array of structs kept in chunks of 65,536 that never move: past the first chunk, growing adds a chunk
/// instead of copying everything into an array twice the size. The per-site tables of a trace with ~1 M sites then
/// hold what they use, not up to twice that, and no outgrown copy waits for the GC beside the new one (a doubled array
/// held both at once: the peak of the import's memory). A small trace stays small: the first chunk starts at 64 and
/// doubles up to the chunk size.
/// </summary>
internal sealed class ChunkedArray<T> where T : struct
{
    const int Shift = 16, ChunkLength = 1 << Shift, Mask = ChunkLength - 1;
    T[][] _chunks = [new T[64]];

    /// <summary>Elements that can be read and written now (indexes 0 .. Capacity - 1); all start as default.</summary>
    public int Capacity { get; private set; } = 64;

    public ref T this[int index] => ref _chunks[index >> Shift][index & Mask];

    /// <summary>Makes indexes up to <paramref name="count"/> - 1 valid, keeping every element where it is.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Grow(int count)
    {
        if (count > Capacity) Extend(count);   // once per new site: the check is all most calls pay
    }

    void Extend(int count)
    {
        while (Capacity < count)
        {
            if (Capacity < ChunkLength)
            {
                Array.Resize(ref _chunks[0], Math.Min(ChunkLength, Math.Max(Capacity * 2, count)));
                Capacity = _chunks[0].Length;
            }
            else
            {
                Array.Resize(ref _chunks, _chunks.Length + 1);
                _chunks[^1] = new T[ChunkLength];
                Capacity += ChunkLength;
            }
        }
    }
}
