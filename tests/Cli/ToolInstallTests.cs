using System.Diagnostics;
using PyMemTrace.Tests.Support;

namespace PyMemTrace.Tests.Cli;

/// <summary>
/// The install the README gives: a clean copy of the sources (no bin, no obj) is packed as a .NET tool, installed into
/// a tool path of its own, and the installed pmanalyze runs. Slow (a Release build and a restore), so it packs once.
/// </summary>
public class ToolInstallTests
{
    [ToolPackFact]
    public void Dotnet_pack_and_tool_install_give_a_working_pmanalyze()
    {
        using var dir = new TempDir();
        string clone = Path.Combine(dir.Path, "clone"), nupkg = Path.Combine(dir.Path, "nupkg"), tools = Path.Combine(dir.Path, "tools");
        CopySources(ToolPackFactAttribute.RepositoryRoot!, clone);

        Run(clone, "pack", "src/Cli", "-c", "Release", "-o", nupkg);
        var package = Assert.Single(Directory.GetFiles(nupkg, "pmanalyze.*.nupkg"));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            foreach (var library in new[] { "pmanalyze.dll", "PyMemTrace.Parser.dll", "PyMemTrace.Store.dll", "PyMemTrace.Reports.dll", "PyMemTrace.Plots.dll", "DotnetToolSettings.xml" })
                Assert.Contains(entries, e => e.EndsWith("/" + library, StringComparison.Ordinal));
        }

        Run(dir.Path, "tool", "install", "--tool-path", tools, "--add-source", nupkg, "pmanalyze");
        var version = Exec(Path.Combine(tools, "pmanalyze"), dir.Path, "--version");
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout);

        var import = Exec(Path.Combine(tools, "pmanalyze"), dir.Path, "import", Fixtures.Seed("01-11672-cmalloc.log"), "--db", dir.Db, "-q");
        Assert.True(import.ExitCode == 0, import.Stderr);
        Assert.Contains("47 lines, 9 events", import.Stdout);
    }

    /// <summary>
    /// The ReadyToRun build that `dotnet publish` makes (the README's faster install, and what the benchmark runs) gives
    /// the same answers as the build the tests run: its code is compiled ahead of time and JIT-compiled where it cannot
    /// be, a mix the other tests never run. An import of a call-stack log and one of a libc log with frees of null and
    /// unknown pointers and unparsed lines, then the summary, leaks, peak and stacks reports, byte for byte.
    /// </summary>
    [ToolPackFact]
    public void The_published_ReadyToRun_build_gives_the_same_answers()
    {
        using var dir = new TempDir();
        string clone = Path.Combine(dir.Path, "clone"), published = Path.Combine(dir.Path, "published");
        CopySources(ToolPackFactAttribute.RepositoryRoot!, clone);
        Run(clone, "publish", "src/Cli", "-c", "Release", "-o", published);
        Assert.True(File.Exists(Path.Combine(published, "pmanalyze")), "publish made no pmanalyze executable");

        string db = dir.File("published.db"), reference = dir.File("reference.db");
        foreach (var log in new[] { "generated/gentrace-pyraw-callstack-2pids-seed8.log", "generated/libc-2pids-quirks.log" })
        {
            var import = Exec(Path.Combine(published, "pmanalyze"), dir.Path, "import", Fixtures.Path_(log), "--db", db, "-q");
            Assert.True(import.ExitCode == 0, import.Stderr);
            Pmanalyze.Ok("import", Fixtures.Path_(log), "--db", reference, "-q");
        }
        foreach (var trace in new[] { "1", "2" })
            foreach (var report in new[] { new[] { "summary", "--format", "json" }, ["leaks", "--format", "csv"], ["peak", "--format", "csv"], ["stacks", "--format", "csv"] })
            {
                string[] args = [.. report, "--trace", trace];
                var ours = Exec(Path.Combine(published, "pmanalyze"), dir.Path, [.. args, "--db", db]);
                Assert.True(ours.ExitCode == 0, ours.Stderr);
                Assert.Equal(Pmanalyze.Ok([.. args, "--db", reference]).Stdout, ours.Stdout);
            }
    }

    /// <summary>
    /// What a clone holds that a pack needs: src/, toolkit/ (record's bpftrace programs travel in the package), the
    /// shared build properties and the README (the package's readme).
    /// </summary>
    static void CopySources(string root, string clone)
    {
        foreach (var file in new[] { "src", "toolkit" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories)))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(clone, relative))!);
            File.Copy(file, Path.Combine(clone, relative));
        }
        foreach (var file in new[] { "Directory.Build.props", "README.md" })
            File.Copy(Path.Combine(root, file), Path.Combine(clone, file));
    }

    static void Run(string workingDirectory, params string[] args)
    {
        var r = Exec("dotnet", workingDirectory, args);
        Assert.True(r.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {r.ExitCode}:\n{r.Stdout}\n{r.Stderr}");
    }

    static (int ExitCode, string Stdout, string Stderr) Exec(string program, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(900_000)) { p.Kill(true); throw new TimeoutException($"{program} {string.Join(' ', args)}"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact skipped, saying why, when the sources to pack are not next to the tests (a copied test folder) or dotnet is not on PATH.</summary>
public sealed class ToolPackFactAttribute : FactAttribute
{
    /// <summary>The repository the tests were built from: the folder above them that holds src/Cli/pmanalyze.csproj.</summary>
    public static string? RepositoryRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "src", "Cli", "pmanalyze.csproj"))) return d.FullName;
            return null;
        }
    }

    public ToolPackFactAttribute()
    {
        bool dotnet = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(p => File.Exists(Path.Combine(p, "dotnet")));
        if (RepositoryRoot is null) Skip = "the pmanalyze sources are not above the test folder: the pack-and-install test is skipped";
        else if (!dotnet) Skip = "dotnet is not on PATH: the pack-and-install test is skipped";
    }
}
