namespace PyMemTrace.Capture;

/// <summary>What record traces: the C library's allocator, CPython's object allocator, or its raw allocator.</summary>
public enum CaptureMode { Flow, Object, Raw }

internal static class CaptureModes
{
    /// <summary>The toolkit program of a mode, and the allocator domain whose hooks it probes (none for flow).</summary>
    public static (string Script, string? Domain) Program(this CaptureMode mode) => mode switch
    {
        CaptureMode.Flow => ("py_flow.bt", null),
        CaptureMode.Object => ("py_object.bt", "obj"),
        _ => ("py_raw.bt", "raw"),
    };
}
