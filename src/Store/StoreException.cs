namespace PyMemTrace.Store;

/// <summary>A problem with the database the user named, worded as one line for them.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
