using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using PyMemTrace.Parser;
using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Input;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Store;

/// <summary>Where the time of an import went. Read and parse run on one thread, store on another, so they overlap.</summary>
/// <remarks>ReaderCpu and WriterCpu are the threads' CPU time (Linux): the work itself, without waits for the other
/// thread or for a core on a loaded machine.</remarks>
public sealed record ImportTimings(TimeSpan Read, TimeSpan Parse, TimeSpan Store, TimeSpan Index, TimeSpan Total,
    TimeSpan ReaderCpu = default, TimeSpan WriterCpu = default);

/// <summary>
/// Reads, classifies, parses and accounts the log on a worker thread, and stores it on the calling thread (which owns
/// the connection). The reader fills batches of finished event rows (plain values, no objects to keep alive) plus the
/// rarer other lines, and hands them over a bounded queue: both cores work, and memory holds a few batches whatever
/// the length of the log. Each table receives its rows in line order.
/// </summary>
internal static class ImportPipeline
{
    const int BatchSize = 8192;
    const int BatchesInFlight = 3;
    static readonly TimeSpan ReaderGrace = TimeSpan.FromMilliseconds(500);

    public sealed record Outcome(TimeSpan Read, TimeSpan Parse, TimeSpan Store, TimeSpan ReaderCpu, TimeSpan WriterCpu, EventAccounting Accounting,
        bool EndedInsideBlock, long? UnendedBlockLine);

    /// <summary>Runs the import; <paramref name="cancel"/> (Ctrl-C) stops both threads within a batch.</summary>
    /// <exception cref="OperationCanceledException">Cancelled: nothing is committed, the caller rolls back.</exception>
    public static Outcome Run(LineReader lines, TraceWriter writer, CancellationToken cancel = default)
    {
        using var full = new BlockingCollection<Batch>(BatchesInFlight);
        using var empty = new BlockingCollection<Batch>();
        for (int i = 0; i < BatchesInFlight + 2; i++) empty.Add(new Batch());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        TimeSpan producing = default, readerCpu = default;
        EventAccounting? accounting = null;
        bool endedInsideBlock = false;
        long? unendedBlockLine = null;

        var producer = Task.Factory.StartNew(() =>
        {
            long started = Stopwatch.GetTimestamp();
            var cpuStarted = ThreadCpu.Now();
            try
            {
                var recorder = new Recorder(full, empty, stop.Token);
                accounting = new EventAccounting(writer.FirstEventId, writer.FirstStackId, recorder.AddSite, recorder.AddName, recorder.AddStack);
                recorder.Accounting = accounting;
                var reader = new TraceReader(recorder);
                reader.Read(lines);
                endedInsideBlock = reader.EndedInsideBlock;
                unendedBlockLine = reader.UnendedBlockLine;
                recorder.Flush();
            }
            finally
            {
                full.CompleteAdding();
                producing = Stopwatch.GetElapsedTime(started);
                readerCpu = ThreadCpu.Now() - cpuStarted;
            }
        }, TaskCreationOptions.LongRunning);

        long storeTicks = 0;
        var writerCpuStarted = ThreadCpu.Now();
        try
        {
            foreach (var batch in full.GetConsumingEnumerable(stop.Token))
            {
                long started = Stopwatch.GetTimestamp();
                Store(batch, writer);
                batch.Clear();
                empty.Add(batch);
                storeTicks += Stopwatch.GetTimestamp() - started;
            }
        }
        catch
        {
            stop.Cancel();
            // The reader stops at its next batch; one blocked reading a pipe that says nothing is left behind (a
            // background thread, it touches no connection): the rollback must not wait for the pipe.
            try { producer.Wait(ReaderGrace); } catch (AggregateException) { /* the writer's failure is the one to report */ }
            throw;
        }
        var writerCpu = ThreadCpu.Now() - writerCpuStarted;
        try
        {
            producer.Wait();
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
        var read = lines.ReadTime;
        return new Outcome(read, producing - read, Stopwatch.GetElapsedTime(0, storeTicks), readerCpu, writerCpu, accounting!, endedInsideBlock, unendedBlockLine);
    }

    /// <summary>
    /// The batch's new sites and names first (its events and flow lines bind them), then all its events and all its
    /// flow lines (whole 32-row statements even where the one comes between the other: a call-stack log has a flow
    /// line every few events), then the other lines in their order. Rows of different tables need no particular
    /// order; within each table they keep the log's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Store(Batch batch, TraceWriter writer)
    {
        foreach (var other in batch.Others)
            if (other.Type is OtherType.Site or OtherType.Name) other.ReplayOn(writer);
        writer.StoreEvents(batch.Events.AsSpan(0, batch.EventCount));
        writer.StoreFlows(batch.Flows.AsSpan(0, batch.FlowCount));
        writer.StoreStacks(batch.Stacks.AsSpan(0, batch.StackCount));
        foreach (var other in batch.Others)
            if (other.Type is not (OtherType.Site or OtherType.Name)) other.ReplayOn(writer);
    }

    enum OtherType : byte { Site, Name, Note, Unparsed, Aggregation, Notice, Rss, RawText }

    /// <summary>Anything but an event.</summary>
    readonly record struct Other(OtherType Type, long Line, object? Payload, string? Text)
    {
        public void ReplayOn(TraceWriter w)
        {
            switch (Type)
            {
                case OtherType.Site: w.StoreSite((NewSite)Payload!); break;
                case OtherType.Name: w.StoreName((int)Line, Text!); break;
                case OtherType.Note: w.OnNote(Line, (string)Payload!, Text!); break;
                case OtherType.Unparsed: w.OnUnparsed(Line, Text!); break;
                case OtherType.Aggregation: w.OnAggregation((AggregationTable)Payload!); break;
                case OtherType.Notice: w.OnNotice(Line, (Notice)Payload!, Text!); break;
                case OtherType.Rss: w.OnRss(Line, ((RssSample)Payload!).Pid, ((RssSample)Payload!).Kilobytes, Text!); break;
                case OtherType.RawText: w.OnRawText(Line, Text!); break;
            }
        }
    }

    sealed record RssSample(int? Pid, long Kilobytes);

    sealed class Batch
    {
        public readonly EventRow[] Events = new EventRow[BatchSize];
        public int EventCount;
        public readonly FlowRow[] Flows = new FlowRow[BatchSize];
        public int FlowCount;
        public readonly NewStack[] Stacks = new NewStack[BatchSize];
        public int StackCount;
        public readonly List<Other> Others = new();

        public bool IsFull => EventCount == BatchSize || FlowCount == BatchSize || StackCount == BatchSize || Others.Count >= BatchSize;

        public void Clear()
        {
            Array.Clear(Events, 0, EventCount); // drops the API strings' references
            EventCount = 0;
            Array.Clear(Flows, 0, FlowCount); // and the toolkit lines'
            FlowCount = 0;
            StackCount = 0;
            Others.Clear();
        }
    }

    /// <summary>The reader thread's sink: accounts each event and fills a batch, handed over when full.</summary>
    sealed class Recorder(BlockingCollection<Batch> full, BlockingCollection<Batch> empty, CancellationToken stop) : IEventBytesSink
    {
        Batch _batch = empty.Take(stop);
        public EventAccounting Accounting { get; set; } = null!;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void OnEvent(long lineNumber, EventLine ev)
        {
            var row = Accounting.Account(lineNumber, ev); // may hand the batch over first (a new site)
            _batch.Events[_batch.EventCount++] = row;
            if (_batch.IsFull) Flush();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void OnEvent(long lineNumber, ReadOnlySpan<byte> line, in EventFields ev)
        {
            var row = Accounting.Account(lineNumber, line, in ev); // may hand the batch over first (a new site)
            _batch.Events[_batch.EventCount++] = row;
            if (_batch.IsFull) Flush();
        }

        public void OnStack(long eventLine, IReadOnlyList<NativeFrame> rootFirst) => Accounting.NextEventStack(rootFirst);

        public void OnFlow(long lineNumber, FlowLine flow) => AddFlow(Accounting.Flow(lineNumber, flow));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void OnFlow(long lineNumber, ReadOnlySpan<byte> line, in FlowFields flow) => AddFlow(Accounting.Flow(lineNumber, line, in flow));

        void AddFlow(in FlowRow row) // after the accounting, which may hand the batch over first (a new name or stack)
        {
            _batch.Flows[_batch.FlowCount++] = row;
            if (_batch.IsFull) Flush();
        }

        public void OnNote(long lineNumber, string kind, string text) => Add(OtherType.Note, lineNumber, kind, text);
        public void OnUnparsed(long lineNumber, string text) => Add(OtherType.Unparsed, lineNumber, null, text);
        public void OnAggregation(AggregationTable table) => Add(OtherType.Aggregation, 0, table);
        public void OnNotice(long lineNumber, Notice notice, string text) => Add(OtherType.Notice, lineNumber, notice, text);
        public void OnRss(long lineNumber, int? pid, long kilobytes, string text) => Add(OtherType.Rss, lineNumber, new RssSample(pid, kilobytes), text);
        public void OnRawText(long lineNumber, string raw) => Add(OtherType.RawText, lineNumber, null, raw);
        public void AddSite(NewSite site) => Add(OtherType.Site, 0, site);
        public void AddName(int number, string name) => Add(OtherType.Name, number, null, name);
        public void AddStack(NewStack stack)
        {
            _batch.Stacks[_batch.StackCount++] = stack;
            if (_batch.IsFull) Flush();
        }

        void Add(OtherType type, long line, object? payload, string? text = null)
        {
            _batch.Others.Add(new Other(type, line, payload, text));
            if (_batch.IsFull) Flush();
        }

        public void Flush()
        {
            if (_batch.EventCount == 0 && _batch.Others.Count == 0) return;
            full.Add(_batch, stop);
            _batch = empty.Take(stop);
        }
    }
}
