namespace PyMemTrace.Parser.Model;

/// <summary>
/// A memory event line: `[@TIME ]PID  FILE:LINE  -> FUNCTION CALL`. Time is the line's stamp in nanoseconds (bpftrace's
/// nsecs, DTrace's timestamp) when it has one.
/// </summary>
public sealed record EventLine(int Pid, string File, int Line, string Function, MemoryCall Call, long? Time = null);
