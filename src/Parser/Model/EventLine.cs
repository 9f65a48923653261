namespace PyMemTrace.Parser.Model;

/// <summary>A memory event line: `PID  FILE:LINE  -> FUNCTION CALL`.</summary>
public sealed record EventLine(int Pid, string File, int Line, string Function, MemoryCall Call);
