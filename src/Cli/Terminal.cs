using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PyMemTrace.Reports.Rendering;

namespace PyMemTrace.Cli;

/// <summary>
/// What the person's terminal is: how wide (COLUMNS, else the terminal's own size, else none: not a terminal), whether
/// it takes colour (a terminal, and NO_COLOR unset or empty, and TERM not "dumb"), and plain writers for it.
/// </summary>
internal static class Terminal
{
    /// <summary>
    /// .NET's console stream switches a terminal into keypad-transmit mode (it writes terminfo's smkx, ESC [?1h ESC =)
    /// the first time it writes to one, and never switches it back. A terminal gets a plain file stream on the same
    /// descriptor instead; a pipe keeps the console stream, which takes a reader that went away (EPIPE) quietly.
    /// </summary>
    public static void UsePlainWriters()
    {
        if (!Console.IsOutputRedirected) Console.SetOut(PlainWriter(1));
        if (!Console.IsErrorRedirected) Console.SetError(PlainWriter(2));
    }

    static TextWriter PlainWriter(int descriptor) =>
        new StreamWriter(new FileStream(new SafeFileHandle(descriptor, ownsHandle: false), FileAccess.Write, bufferSize: 1),
            new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true, NewLine = "\n" };

    /// <summary>How tables are laid out on stdout: fitted to the width when one is known.</summary>
    public static TableStyle Style(bool exactBytes = false) => new(Width(), exactBytes, OnTerminal: !Console.IsOutputRedirected);

    /// <summary>COLUMNS when set to a number, else the size of the terminal on stdout, else null.</summary>
    public static int? Width()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0) return Math.Max(columns, MinimumWidth);
        if (Console.IsOutputRedirected) return null;
        return WindowColumns() is > 0 and var w ? Math.Max(w, MinimumWidth) : DefaultWidth;
    }

    const int MinimumWidth = 20, DefaultWidth = 80;

    /// <summary>
    /// On Linux the TIOCGWINSZ ioctl on stdout: Console.WindowWidth would initialise the console (see UsePlainWriters).
    /// Elsewhere Console.WindowWidth (ioctl is variadic, and Apple's arm64 passes variadic arguments differently).
    /// </summary>
    static int WindowColumns()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return Console.WindowWidth;
            return Ioctl(1, 0x5413, out var size) == 0 ? size.Columns : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or PlatformNotSupportedException)
        {
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct WindowSize
    {
        public ushort Rows, Columns, XPixels, YPixels;
    }

    [DllImport("libc", EntryPoint = "ioctl")]
    static extern int Ioctl(int descriptor, nuint request, out WindowSize size);

    /// <summary>A warning line on stdout ("warning: ..."), yellow on a colour terminal.</summary>
    public static void Warn(string message) => Console.Out.WriteLine(Paint("warning: " + TerminalText.Visible(message), Yellow, Console.IsOutputRedirected));

    /// <summary>A failure line on stderr ("pmanalyze: ..."), red on a colour terminal; text from a log or a file name made visible.</summary>
    public static void Fail(string message) => Console.Error.WriteLine(Paint("pmanalyze: " + TerminalText.Visible(message), Red, Console.IsErrorRedirected));

    /// <summary>A gate's closing line on stdout: red on a colour terminal when it failed; names from the log made visible.</summary>
    public static void Outcome(string line, bool failed) =>
        Console.Out.WriteLine(failed ? Paint(TerminalText.Visible(line), Red, Console.IsOutputRedirected) : TerminalText.Visible(line));

    /// <summary>A paragraph for people on stdout (a verdict above a table): wrapped to the width, controls visible, a blank line after.</summary>
    public static void Paragraph(string text)
    {
        foreach (var line in TerminalText.Wrap(text, Width())) Console.Out.WriteLine(line);
        Console.Out.WriteLine();
    }

    /// <summary>A notice on stderr (nothing to show, and why), as it is: it goes with the command's normal output.</summary>
    public static void Notice(string message) => Console.Error.WriteLine(TerminalText.Visible(message));

    const string Red = "\u001b[31m", Yellow = "\u001b[33m", Reset = "\u001b[0m";

    static string Paint(string line, string colour, bool redirected) => Colour(redirected) ? colour + line + Reset : line;

    /// <summary>https://no-color.org: NO_COLOR set to anything but "" turns colour off; so does a pipe or TERM=dumb.</summary>
    static bool Colour(bool redirected) =>
        !redirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
}
