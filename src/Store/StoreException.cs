namespace PyMemTrace.Store;

/// <summary>A problem with the database the user named, worded as one line for them.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The import was cancelled (Ctrl-C, SIGTERM) and rolled back: the database holds what it held before.</summary>
public sealed class ImportInterruptedException(Exception? inner = null) : Exception("import interrupted; the database is as it was", inner);
