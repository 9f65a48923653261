using System.Diagnostics;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// A small tmpfs mounted for one test: a real file system that fills up, to test what a full disk does. Mounting needs
/// root and the right to mount (a container may not have it); tests that need one are skipped, saying so, without.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    public string Path { get; }
    readonly TempDir _dir = new();

    public Tmpfs(int kilobytes)
    {
        Path = _dir.File("fs");
        Directory.CreateDirectory(Path);
        var (ok, error) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", Path);
        if (!ok) throw new InvalidOperationException("mount failed: " + error);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Fills the file system up to its last few bytes with a file of zeros.</summary>
    public void Fill()
    {
        using var filler = new FileStream(File("filler"), FileMode.Create);
        var block = new byte[4096];
        try
        {
            while (true) filler.Write(block);
        }
        catch (IOException)
        {
            // full
        }
        try { filler.Flush(); } catch (IOException) { /* the last partial block */ }
    }

    public void Dispose()
    {
        Run("umount", Path);
        _dir.Dispose();
    }

    static (bool Ok, string Error) Run(string program, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode == 0, error.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }

    /// <summary>Why a tmpfs cannot be mounted here; null when it can (tried once per test run).</summary>
    public static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs: Linux only";
        if (Environment.UserName != "root") return "mounting a tmpfs needs root";
        try
        {
            using var probe = new Tmpfs(64);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    });
}

/// <summary>A fact that needs a small tmpfs to fill up; skipped, saying why, where mounting is not allowed.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable.Value is { } why) Skip = "full-disk test skipped: cannot mount a tmpfs (" + why + ")";
    }
}
