using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// Makes a file (or a folder: no entry added or removed) read-only for the rest of a test. File modes do not stop root (CI runs as root), so there the file is
/// made immutable with chattr +i, which stops root too.
/// </summary>
public sealed class ReadOnlyFile : IDisposable
{
    readonly string _path;
    readonly bool _immutable;

    ReadOnlyFile(string path, bool immutable) => (_path, _immutable) = (path, immutable);

    public static ReadOnlyFile Make(string path)
    {
        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead | Search(path));
            return new ReadOnlyFile(path, false);
        }
        Chattr("+i", path);
        return new ReadOnlyFile(path, true);
    }

    public void Dispose()
    {
        if (_immutable) Chattr("-i", _path);
        else File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | Search(_path));
    }

    // a folder needs x to be entered
    static UnixFileMode Search(string path) => Directory.Exists(path) ? UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : 0;

    static void Chattr(string flag, string path)
    {
        using var p = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"chattr {flag} {path} failed: {p.StandardError.ReadToEnd()}");
    }
}
