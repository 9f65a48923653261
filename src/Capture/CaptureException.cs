namespace PyMemTrace.Capture;

/// <summary>Recording cannot start or go on; the message is one line that says why and what to do.</summary>
public sealed class CaptureException(string message) : Exception(message);
