using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Input;
using PyMemTrace.Store;

namespace PyMemTrace.Cli;

/// <summary>
/// Every failure the user can cause ends as one line on stderr and exit code 2, never a stack trace. The line often
/// names a file or quotes the log: its control characters are made visible (Terminal.Fail).
/// </summary>
internal static class Failure
{
    public const int ExitCode = 2;

    public static int Run(Func<int> action, string dbPath)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Message(e, dbPath) is { } message)
        {
            Terminal.Fail(message);
            return ExitCode;
        }
    }

    static string? Message(Exception e, string dbPath) => e switch
    {
        TraceInputException or StoreException or UsageException or Capture.CaptureException => e.Message,
        SqliteException s => Database.Explain(s, dbPath).Message,
        IOException or UnauthorizedAccessException => Database.FirstLine(e.Message),
        _ => null,
    };
}
