using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// Makes a file read-only for the rest of a test. File modes do not stop root (CI runs as root), so there the file is
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
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return new ReadOnlyFile(path, false);
        }
        Chattr("+i", path);
        return new ReadOnlyFile(path, true);
    }

    public void Dispose()
    {
        if (_immutable) Chattr("-i", _path);
        else File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    static void Chattr(string flag, string path)
    {
        using var p = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"chattr {flag} {path} failed: {p.StandardError.ReadToEnd()}");
    }
}
