namespace PyMemTrace.Parser.Model;

/// <summary>What a traced call does to the heap, whatever its API family.</summary>
public enum CallKind { Malloc, Calloc, Realloc, Free }

/// <summary>
/// One traced allocator call as printed after the event header.
/// Size is the requested size (calloc: N×S). For realloc, OldPointer is the block passed in and
/// Pointer the block returned (in-place resizes return the same pointer). For free, Pointer is the freed block.
/// </summary>
public readonly record struct MemoryCall(
    CallKind Kind,
    string Api,
    long Size,
    long Pointer,
    long OldPointer = 0,
    long Count = 0,
    long ElementSize = 0);
