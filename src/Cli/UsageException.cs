namespace PyMemTrace.Cli;

/// <summary>The command line asks for something that cannot be done as asked; the message is one line for the user.</summary>
internal sealed class UsageException(string message) : Exception(message);
