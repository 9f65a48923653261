using System.CommandLine;
using PyMemTrace.Capture;

namespace PyMemTrace.Cli.Commands;

/// <summary>record: trace a Python program (started, or running) with the toolkit's bpftrace programs into a log.</summary>
internal static class RecordCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "The log to write (what 'pmanalyze import' reads)", Required = true };
        var mode = new Option<CaptureMode>("--mode")
        {
            Description = "flow: C library malloc/calloc/realloc/free; object: CPython's object allocator; raw: its raw allocator",
            DefaultValueFactory = _ => CaptureMode.Flow,
        };
        var pid = new Option<int?>("--pid", "-p") { Description = "Attach to this running process instead of starting PROGRAM (stop with Ctrl-C or when it exits)" };
        var pages = new Option<int>("--buffer-pages") { Description = "bpftrace's buffer, pages per CPU (BPFTRACE_PERF_RB_PAGES); raise it when events are lost", DefaultValueFactory = _ => 4096 };
        CommonOptions.AtLeast(pages, 8);
        var window = new Option<double>("--reorder-window") { Description = "Seconds a line may arrive late and still be put in time order", DefaultValueFactory = _ => 2.0 };
        var command = new Argument<string[]>("program") { Description = "After --: the Python program and its arguments, e.g. -- /usr/bin/python3.11 app.py", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("record", "Trace a Python program's memory calls on Linux with bpftrace (needs root), into a log for 'pmanalyze import'")
        {
            output, mode, pid, pages, window, command,
        };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            var program = pr.GetValue(command) ?? [];
            var attach = pr.GetValue(pid);
            if (attach is null == (program.Length == 0))
                throw new UsageException("record needs either -- PROGRAM ARGS... or --pid PID (not both)");
            if (pr.GetValue(window) is var w && (w <= 0 || w > 3600))
                throw new UsageException("--reorder-window must be between 0 and 3600 seconds");
            var request = new RecordRequest(pr.GetValue(output)!, pr.GetValue(mode), program.Length > 0 ? program : null, attach,
                pr.GetValue(pages), TimeSpan.FromSeconds(w));
            var result = new Recorder(request, Console.Error).Run();
            Console.Error.WriteLine("pmanalyze record: " + result.Describe());
            return 0;
        }, ""));
        return cmd;
    }
}
