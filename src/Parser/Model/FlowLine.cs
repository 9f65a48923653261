namespace PyMemTrace.Parser.Model;

/// <summary>
/// A call (-&gt;) or return (&lt;-) line of a flow trace. The memory scripts' call-stack mode prints pid, file:line and
/// CALL/RTN; the DTraceToolkit flow scripts add the CPU, the time since the previous line (us) and the probe type
/// (func, syscall, ...). Line is 0 when the script prints '-' (syscalls).
/// </summary>
public sealed record FlowLine(int Pid, string File, int Line, bool IsCall, string Function,
    int? Cpu = null, long? DeltaUs = null, string? Probe = null)
{
    /// <summary>Whether the line enters or leaves a Python function (syscall lines do not move the Python stack).</summary>
    public bool IsPythonFrame => Probe is null or "func";
}
