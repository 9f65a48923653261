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
        var native = new Option<bool>("--native")
        {
            Description = "Also record the native call stack of every allocation (perf, DWARF unwinding; C library calls only); Python file and line come from USDT when the interpreter has the probes",
        };
        var minSize = new Option<long>("--min-size") { Description = "With --native: leave out allocations smaller than this many bytes (and the frees of their blocks): cuts the cost", DefaultValueFactory = _ => 0 };
        CommonOptions.AtLeast(minSize, 0);
        var command = new Argument<string[]>("program") { Description = "After --: the Python program and its arguments, e.g. -- /usr/bin/python3.11 app.py", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("record", "Trace a Python program's memory calls on Linux with bpftrace (needs root), into a log for 'pmanalyze import'")
        {
            output, mode, pid, pages, window, native, minSize, command,
        };
        cmd.SetAction(pr => Failure.Run(() =>
        {
            var program = pr.GetValue(command) ?? [];
            var attach = pr.GetValue(pid);
            if (attach is null == (program.Length == 0))
                throw new UsageException("record needs either -- PROGRAM ARGS... or --pid PID (not both)");
            if (pr.GetValue(window) is var w && (w <= 0 || w > 3600))
                throw new UsageException("--reorder-window must be between 0 and 3600 seconds");
            bool stacks = pr.GetValue(native);
            if (stacks && pr.GetValue(mode) != CaptureMode.Flow)
                throw new UsageException("--native records the C library's calls (flow mode) only: leave out --mode");
            if (!stacks && pr.GetValue(minSize) > 0) throw new UsageException("--min-size goes with --native");
            var request = new RecordRequest(pr.GetValue(output)!, pr.GetValue(mode), program.Length > 0 ? program : null, attach,
                pr.GetValue(pages), TimeSpan.FromSeconds(w), stacks, pr.GetValue(minSize));
            var result = stacks ? new NativeRecorder(request, Console.Error).Run() : new Recorder(request, Console.Error).Run();
            Console.Error.WriteLine("pmanalyze record: " + result.Describe());
            return 0;
        }, ""));
        return cmd;
    }
}
