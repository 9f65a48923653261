namespace PyMemTrace.Store;

/// <summary>Which file system holds a file, to say which one is full when a write fails with ENOSPC.</summary>
public static class FileSystems
{
    /// <summary>
    /// "the file system at '/mnt/data' (holding 'out/t.db') is full". Of the file's own file system and
    /// <paramref name="alsoUsed"/> (SQLite's temporary folder, say), the one with the least space left is named.
    /// </summary>
    public static string Full(string file, params string[] alsoUsed)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(Resolved(file))) ?? "/";
        var candidates = new[] { folder }.Concat(alsoUsed.Where(Directory.Exists)).Select(f => (Folder: f, Mount: MountPoint(f), Free: FreeBytes(f)));
        var fullest = candidates.OrderBy(c => c.Free ?? long.MaxValue).First();
        return fullest.Folder == folder || fullest.Mount == MountPoint(folder)
            ? $"the file system at '{MountPoint(folder)}' (holding '{file}') is full"
            : $"the file system at '{fullest.Mount}' (SQLite's temporary files, in '{fullest.Folder}') is full";
    }

    /// <summary>Whether an exception is a write that found no space left (ENOSPC), as .NET reports it.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException io && (io.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
                                || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));

    /// <summary>The folder where SQLite puts temporary files on Unix (its own search order).</summary>
    public static string SqliteTempFolder() =>
        new[] { Environment.GetEnvironmentVariable("SQLITE_TMPDIR"), Environment.GetEnvironmentVariable("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp", "." }
            .First(d => !string.IsNullOrEmpty(d) && Directory.Exists(d))!;

    /// <summary>The mount point holding <paramref name="folder"/>: the longest mounted path that contains it.</summary>
    public static string MountPoint(string folder)
    {
        var full = Path.GetFullPath(Resolved(folder)).TrimEnd('/') + "/";
        try
        {
            return DriveInfo.GetDrives().Select(d => d.Name)
                .Where(m => full.StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal))
                .OrderByDescending(m => m.Length).FirstOrDefault() ?? folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return folder;
        }
    }

    static long? FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(MountPoint(folder)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The file a symbolic link points to (its writes land there), or the path itself.</summary>
    public static string Resolved(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return path;
        }
    }
}
