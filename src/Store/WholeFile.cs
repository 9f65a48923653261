namespace PyMemTrace.Store;

/// <summary>
/// Writes an output file (a figure, the HTML report, a Parquet table) whole or not at all: into a temporary file in the
/// same folder, renamed over the real name once complete. A failure (a full disk) removes the temporary file, so no
/// empty or cut file is left under either name, and an older file of that name is kept as it was.
/// </summary>
public static class WholeFile
{
    /// <exception cref="DiskFullException">No space left: nothing was written; the message names the file system.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var target = FileSystems.Resolved(path); // through a symbolic link: the link stays, the file it names is replaced
        if (FileKinds.Of(target) is FileKind.Fifo or FileKind.CharacterDevice or FileKind.Socket or FileKind.BlockDevice)
        {
            // a FIFO, /dev/stdout, /dev/null: nothing to rename over (and a device must never be replaced by a file)
            using var device = new FileStream(target, FileMode.Open, FileAccess.Write);
            Guarded(path, () => write(device));
            return;
        }
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target)) ?? ".",
            $".{Path.GetFileName(target)}.{Environment.ProcessId}.partial");
        try
        {
            Guarded(path, () =>
            {
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                    write(file);
                File.Move(temp, target, overwrite: true);
            });
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the first failure is the one to report */ }
            throw;
        }
    }

    static void Guarded(string path, Action write)
    {
        try
        {
            write();
        }
        catch (IOException e) when (FileSystems.IsDiskFull(e))
        {
            throw new DiskFullException($"cannot write '{path}': {FileSystems.Full(path)}; nothing was written", e);
        }
    }
}

/// <summary>An output file could not be written for want of space; the message says which file system is full.</summary>
public sealed class DiskFullException(string message, Exception inner) : IOException(message, inner);
