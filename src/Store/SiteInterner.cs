using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PyMemTrace.Store;

/// <summary>
/// Gives each distinct (file, line, function) of a trace a number 0, 1, ... in the order first seen, keyed by the
/// UTF-8 bytes of file and function: a site already seen costs a hash and a compare, no string. Text keys are
/// encoded to UTF-8 first, so a site reads the same whether its line came as bytes (ASCII) or as text.
/// </summary>
internal sealed class SiteInterner
{
    /// <summary>A site's key: its bytes (file then function) in <see cref="_chunks"/>, no object of its own (a record
    /// and a byte array per site were ~125 bytes; ~1 M sites are a real case).</summary>
    struct Entry
    {
        public int Chunk, Offset, FileLength, FunctionLength, Line, Hash;
    }

    const int ChunkBytes = 1 << 20;
    readonly ChunkedArray<Entry> _entries = new();
    int _count;
    readonly List<byte[]> _chunks = [new byte[4096]];
    int _chunkUsed;
    int[] _slots = new int[256]; // entry index + 1; 0 = empty; open addressing, linear probing
    byte[] _scratch = new byte[256];

    public int Count => _count;

    public int Intern(ReadOnlySpan<byte> file, int line, ReadOnlySpan<byte> function, out bool added)
    {
        int hash = Hash(file, line, function);
        int mask = _slots.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            int slot = _slots[i];
            if (slot == 0) break;
            ref var e = ref _entries[slot - 1];
            if (e.Hash == hash && e.Line == line && e.FileLength == file.Length && e.FunctionLength == function.Length)
            {
                var key = _chunks[e.Chunk].AsSpan(e.Offset, e.FileLength + e.FunctionLength);
                if (key[..e.FileLength].SequenceEqual(file) && key[e.FileLength..].SequenceEqual(function))
                {
                    added = false;
                    return slot - 1;
                }
            }
        }
        added = true;
        _entries.Grow(_count + 1);
        _entries[_count] = Store(file, function, line, hash);
        if (++_count * 2 > _slots.Length) Grow();
        else Place(_slots, _count - 1, hash);
        return _count - 1;
    }

    /// <summary>Copies the key's bytes into the last chunk, or a new one where they do not fit: chunks double from 4 KB
    /// to 1 MB (a small trace stays small; a key longer than that gets a chunk of its own size), and never move.</summary>
    Entry Store(ReadOnlySpan<byte> file, ReadOnlySpan<byte> function, int line, int hash)
    {
        int length = file.Length + function.Length;
        var chunk = _chunks[^1];
        if (_chunkUsed + length > chunk.Length)
        {
            chunk = new byte[Math.Max(Math.Min(chunk.Length * 2, ChunkBytes), length)];
            _chunks.Add(chunk);
            _chunkUsed = 0;
        }
        file.CopyTo(chunk.AsSpan(_chunkUsed));
        function.CopyTo(chunk.AsSpan(_chunkUsed + file.Length));
        var entry = new Entry { Chunk = _chunks.Count - 1, Offset = _chunkUsed, FileLength = file.Length, FunctionLength = function.Length, Line = line, Hash = hash };
        _chunkUsed += length;
        return entry;
    }

    public int Intern(string file, int line, string function, out bool added)
    {
        int fileBytes = Encoding.UTF8.GetByteCount(file), total = fileBytes + Encoding.UTF8.GetByteCount(function);
        if (_scratch.Length < total) _scratch = new byte[Math.Max(total, _scratch.Length * 2)];
        Encoding.UTF8.GetBytes(file, _scratch);
        Encoding.UTF8.GetBytes(function, _scratch.AsSpan(fileBytes));
        return Intern(_scratch.AsSpan(0, fileBytes), line, _scratch.AsSpan(fileBytes, total - fileBytes), out added);
    }

    // Eight bytes at a time and one final mix: HashCode.AddBytes, four bytes at a time, was a tenth of the reader thread.
    static int Hash(ReadOnlySpan<byte> file, int line, ReadOnlySpan<byte> function)
    {
        ulong h = Mix((ulong)(uint)line << 32 | (uint)file.Length, file);
        h = Mix(h, function);
        h ^= h >> 33; // murmur3's finaliser: every input bit reaches the low bits the table is indexed by
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return (int)h;
    }

    static ulong Mix(ulong h, ReadOnlySpan<byte> bytes)
    {
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        while (bytes.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * Prime, 29);
            bytes = bytes[8..];
        }
        ulong tail = (ulong)bytes.Length << 56;
        for (int i = 0; i < bytes.Length; i++) tail |= (ulong)bytes[i] << (8 * i);
        return BitOperations.RotateLeft((h ^ tail) * Prime, 29);
    }

    void Grow()
    {
        var slots = new int[_slots.Length * 2];
        for (int i = 0; i < _count; i++) Place(slots, i, _entries[i].Hash);
        _slots = slots;
    }

    static void Place(int[] slots, int index, int hash)
    {
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = index + 1;
    }
}
