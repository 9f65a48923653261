namespace PyMemTrace.Capture;

/// <summary>The toolkit files that travel with the tool (copied beside it at build), or the source tree's toolkit/.</summary>
internal static class Toolkit
{
    public static string File(string name)
    {
        foreach (var dir in new[] { Path.Combine(AppContext.BaseDirectory, "toolkit"), Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "toolkit") })
        {
            var path = Path.GetFullPath(Path.Combine(dir, name));
            if (System.IO.File.Exists(path)) return path;
        }
        throw new CaptureException($"toolkit/{name} is missing beside pmanalyze ({AppContext.BaseDirectory}): reinstall it");
    }
}
