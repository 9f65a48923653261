using System.Runtime.InteropServices;

namespace PyMemTrace.Store;

/// <summary>What a path names, following symbolic links. .NET tells files from directories only; a database must be a regular file.</summary>
public enum FileKind { Missing, Regular, Directory, Fifo, CharacterDevice, BlockDevice, Socket, Unknown }

public static class FileKinds
{
    /// <summary>
    /// The kind of file at <paramref name="path"/>, without opening it (opening a FIFO blocks until a writer comes).
    /// Asks stat(2) through the .NET runtime's own native shim (libSystem.Native, which File and FileStream use on every
    /// Unix): its status record starts with two ints, flags then st_mode, on every platform, where libc's struct stat
    /// differs between architectures. Unknown when that call is not there (Windows, or a runtime without it).
    /// </summary>
    public static FileKind Of(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return Known(path);
        var status = new byte[StatusBytes];
        int rc;
        try
        {
            rc = Stat(path, status);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Known(path);
        }
        if (rc != 0) return Known(path); // missing, or a folder on the way that cannot be searched: the open says which
        return (BitConverter.ToInt32(status, 4) & TypeMask) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
    }

    /// <summary>"a FIFO", "a character device", ...: for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    static FileKind Known(string path) => Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Unknown : FileKind.Missing;

    const int TypeMask = 0xF000; // S_IFMT
    const int StatusBytes = 512; // the record is ~120 bytes; room to spare if it grows

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] status);
}
