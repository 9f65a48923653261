using Microsoft.Data.Sqlite;
using PyMemTrace.Parser.Input;
using PyMemTrace.Store;

namespace PyMemTrace.Cli;

/// <summary>
/// Every failure the user can cause ends as one line on stderr and exit code 2, never a stack trace. The line often
/// names a file or quotes the log: its control characters are made visible (Terminal.Fail). Any other error is a bug:
/// one line too, exit code 70 (docs/trust.md, "Exit codes").
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
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) is null or "")
        {
            // a bug, not bad input: still one line, never a stack trace; the variable shows where it happened
            Terminal.Fail($"internal error ({e.GetType().Name}: {Database.FirstLine(e.Message)}): a bug in pmanalyze, please report it with the command that failed ({DebugVariable}=1 shows where it happened)");
            return InternalErrorCode;
        }
    }

    /// <summary>EX_SOFTWARE of sysexits.h: set apart from bad input (2) so scripts and tests can tell a bug.</summary>
    public const int InternalErrorCode = 70;
    const string DebugVariable = "PMANALYZE_DEBUG";

    static string? Message(Exception e, string dbPath) => e switch
    {
        TraceInputException or StoreException or UsageException or Capture.CaptureException => e.Message,
        SqliteException s => Database.Explain(s, dbPath).Message,
        IOException or UnauthorizedAccessException => Database.FirstLine(e.Message),
        _ => null,
    };
}
