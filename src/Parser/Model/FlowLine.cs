namespace PyMemTrace.Parser.Model;

/// <summary>A Python call or return line of the memory scripts' call-stack mode.</summary>
public sealed record FlowLine(int Pid, string File, int Line, bool IsCall, string Function);
