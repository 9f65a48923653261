using System.Text;

namespace PyMemTrace.Tests.Support;

/// <summary>
/// A small log whose names attack the reader: terminal controls (ESC c resets a terminal, BEL, the one-byte CSI U+009B),
/// spreadsheet formulas, a 1 MiB function name, CJK names, and 200 ordinary leak sites; plus a call stack and an
/// aggregation key with controls and one of 1 MiB. Every block leaks, so every name is a leak site.
/// </summary>
public static class HostileLog
{
    public const string Reset = "\u001bc", Bell = "\u0007", Csi = "\u009b";
    public static readonly string Escaped = "evil" + Reset + Bell + Csi + "31m";
    public const string Formula = "=HYPERLINK(\"http://x\",\"y\")";
    public static readonly string Long = new('A', 1 << 20);
    public const int OrdinarySites = 200;

    public static string Write(string path)
    {
        var lines = new List<string>
        {
            "dtrace:::BEGIN",
            "C    PID  DELTA(us)              FILE:LINE TYPE     -- FUNC",
            $" 11672     ex_dtrace.py:40 CALL -> outer{Reset}{Bell}",
            $" 11672     ex_dtrace.py:41 CALL   -> in{Csi}31mner",
            $" 11672     ex_dtrace.py:42 -> in{Csi}31mner malloc(64) pntr 0x900",
            $" 11672     ex_dtrace.py:41 RTN    <- in{Csi}31mner",
            $" 11672     ex_dtrace.py:40 RTN  <- outer{Reset}{Bell}",
            $" 11672     ex_dtrace.py:48   -> {Escaped} malloc(100) pntr 0x1000",
            $" 11672     ex_dtrace.py:49   -> {Formula} malloc(200) pntr 0x2000",
            " 11672     ex_dtrace.py:50   -> @SUM(1) malloc(300) pntr 0x3000",
            " 11672     ex_dtrace.py:51   -> -2+3 malloc(300) pntr 0x3100",
            " 11672     ex_dtrace.py:52   -> +cmd malloc(300) pntr 0x3200",
            $" 11672     ex_dtrace.py:53   -> {Long} malloc(400) pntr 0x4000",
            " 11672     日本語ファイル.py:54   -> 関数名 malloc(10) pntr 0x5000",
        };
        for (int i = 0; i < OrdinarySites; i++) lines.Add($" 11672     site.py:{1000 + i}   -> f{i} malloc({10 + i}) pntr 0x{0x100000 + i * 16:x}");
        lines.AddRange(["", "dtrace:::END", "", "Calls by process and function:",
            $"  python                                              Evil{Reset}Key{Bell}                        1234",
            "  python                                              PyDict_New                             56",
            $"  python                                              {Long}                             7"]);
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    /// <summary>Terminal controls a terminal would act on: C0 but newline, DEL, C1.</summary>
    public static bool HasRawControls(string text) => text.Any(c => c != '\n' && char.IsControl(c));
}
