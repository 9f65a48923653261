using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>
/// One CALL/RTN line as it will be stored: file and function as numbers of the trace's <see cref="NameTable"/>.
/// <paramref name="Toolkit"/> is the parsed line when it has a toolkit flow script's extra columns (CPU, delta,
/// probe), which go to flow_info; the memory scripts' lines have none.
/// </summary>
internal readonly record struct FlowRow(long Line, int Pid, bool IsCall, int File, int FileLine, int Function, FlowLine? Toolkit);
