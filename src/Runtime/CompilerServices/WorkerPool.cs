using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// The worker threads behind multi-threaded training and batched inference: one process-wide set of background threads, created on
    /// first use and kept for the life of the process (no thread or task is created per step). A parallel phase
    /// runs part 0 on the calling thread and parts 1… on workers, and returns when all are done; parallel phases of
    /// different networks take turns (one lock), so each network's arithmetic, and therefore its result for a given
    /// seed and thread count, does not depend on what else runs. Public only so generated code in the user's assembly
    /// can reach it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class WorkerPool
    {
        private static readonly object Gate = new();
        private static Worker[] _workers = Array.Empty<Worker>();

        /// <summary>The default number of training threads: the machine's logical processors.</summary>
        public static int DefaultThreads => Environment.ProcessorCount;

        /// <summary>Largest thread count a network accepts.</summary>
        public const int MaxThreads = 64;

        /// <summary>
        /// Runs <paramref name="phase"/> of <paramref name="step"/> as <paramref name="parts"/> parts in parallel, with the
        /// batch starting at <paramref name="inputs"/> pinned until every part is done.
        /// </summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public static unsafe void Run(IParallelStep step, ref float inputs, int phase, int parts)
        {
            if (parts < 1 || parts > MaxThreads) throw new ArgumentOutOfRangeException(nameof(parts), parts, $"Between 1 and {MaxThreads} parts.");
            fixed (float* pinned = &inputs)
            {
                nint address = (nint)pinned;
                if (parts == 1) { step.RunPart(phase, 0, 1, address); return; }
                lock (Gate)
                {
                    var workers = Ensure(parts - 1);
                    for (int k = 1; k < parts; k++) workers[k - 1].Start(step, phase, k, parts, address);
                    Exception? failure = null;
                    try { step.RunPart(phase, 0, parts, address); }
                    catch (Exception e) { failure = e; }
                    Join(workers, parts, failure, "A training thread failed.");
                }
            }
        }

        /// <summary>
        /// Shares <paramref name="rows"/> rows of a batched inference among up to <paramref name="parts"/> threads (the
        /// caller and workers) and returns true when done. The rows are claimed <paramref name="chunk"/> at a time by
        /// whichever thread is free, so a thread that runs slower (a busy core, a smaller share of a virtual machine's
        /// host) simply claims fewer; each thread calls <see cref="IParallelRows.BeginRows"/> once before its first
        /// chunk. Returns false without running anything when the rows make fewer than two chunks or another thread's
        /// parallel work holds the workers: the caller then runs the batch alone, so concurrent callers never wait for
        /// each other. Rows are independent, so the result does not depend on which thread ran which chunk.
        /// </summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public static unsafe bool TryRunRows(IParallelRows job, ReadOnlySpan<float> inputs, Span<float> outputs, int rows, int parts, int chunk)
        {
            if (parts < 1 || parts > MaxThreads) throw new ArgumentOutOfRangeException(nameof(parts), parts, $"Between 1 and {MaxThreads} parts.");
            if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "At least 1 row.");
            int chunks = (int)(((long)rows + chunk - 1) / chunk);
            parts = Math.Min(parts, chunks);
            if (parts < 2 || !Monitor.TryEnter(Gate)) return false;
            try
            {
                fixed (float* x = inputs)
                fixed (float* y = outputs)
                {
                    var workers = Ensure(parts - 1);
                    _nextRow = 0;
                    _rowCount = rows;
                    _rowChunk = chunk;
                    for (int k = 1; k < parts; k++) workers[k - 1].StartRows(job, (nint)x, (nint)y);
                    Exception? failure = null;
                    try { ClaimRows(job, (nint)x, (nint)y); }
                    catch (Exception e) { failure = e; }
                    Join(workers, parts, failure, "An inference thread failed.");
                }
            }
            finally { Monitor.Exit(Gate); }
            return true;
        }

        // The rows of the shared batch running now (one at a time: TryRunRows holds Gate): the next unclaimed row, the count, the chunk.
        private static long _nextRow;
        private static int _rowCount, _rowChunk;

        /// <summary>Claims chunks of the shared batch until none is left; stops at its own first failure (the others go on).</summary>
        private static void ClaimRows(IParallelRows job, nint inputs, nint outputs)
        {
            int rows = Volatile.Read(ref _rowCount), chunk = Volatile.Read(ref _rowChunk);
            bool begun = false;
            while (true)
            {
                long start = Interlocked.Add(ref _nextRow, chunk) - chunk;
                if (start >= rows) return;
                if (!begun) { job.BeginRows(); begun = true; }
                job.RunRows(inputs, outputs, (int)start, (int)Math.Min(chunk, rows - start));
            }
        }

        /// <summary>
        /// Waits for workers 1..parts − 1 — every one, also after a failure, so that none still runs a part when the
        /// caller unpins the batch and releases the workers — then throws the first failure (the caller's part first).
        /// </summary>
        private static void Join(Worker[] workers, int parts, Exception? failure, string what)
        {
            for (int k = 1; k < parts; k++)
            {
                var failed = workers[k - 1].Wait();
                failure ??= failed;
            }
            if (failure is not null) throw new AggregateException(what, failure);
        }

        /// <summary>The float at a pinned address handed to <see cref="IParallelStep.RunPart"/>.</summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe ref float At(nint address) => ref Unsafe.AsRef<float>((void*)address);

        private static Worker[] Ensure(int count)
        {
            if (_workers.Length >= count) return _workers;
            var grown = new Worker[count];
            Array.Copy(_workers, grown, _workers.Length);
            for (int i = _workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
            _workers = grown;
            return grown;
        }

        /// <summary>
        /// One background thread. Between two jobs it spins (training steps follow each other within microseconds, and
        /// waking a sleeping thread costs tens of microseconds on a virtual machine); after 2 ms without work it sleeps
        /// until the next job.
        /// </summary>
        private sealed class Worker
        {
            private static readonly long IdleTicks = System.Diagnostics.Stopwatch.Frequency / 500;
            private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
            private IParallelStep? _step;
            private IParallelRows? _rows;
            private int _phase, _part, _parts;
            private nint _inputs, _outputs;
            private Exception? _failure;
            private long _posted, _finished;
            private int _sleeping;

            public Worker(int index)
            {
                var thread = new Thread(Loop) { IsBackground = true, Name = $"CompiledNet training worker {index}" };
                thread.Start();
            }

            public void Start(IParallelStep step, int phase, int part, int parts, nint inputs)
            {
                _step = step; _rows = null; _phase = phase; _part = part; _parts = parts; _inputs = inputs; _failure = null;
                Post();
            }

            public void StartRows(IParallelRows job, nint inputs, nint outputs)
            {
                _step = null; _rows = job; _inputs = inputs; _outputs = outputs; _failure = null;
                Post();
            }

            private void Post()
            {
                Interlocked.Increment(ref _posted);   // full fence: the job's fields are visible before the count
                if (Volatile.Read(ref _sleeping) == 1) _wake.Set();
            }

            public Exception? Wait()
            {
                long posted = Volatile.Read(ref _posted);
                // A plain polling loop: PAUSE-based spinning makes the hypervisor deschedule a virtual CPU (pause-loop exiting).
                int polls = 0;
                while (Volatile.Read(ref _finished) != posted)
                    if (++polls % 100_000 == 0) Thread.Yield();
                _step = null;
                _rows = null;
                return _failure;
            }

            private void Loop()
            {
                long done = 0;
                while (true)
                {
                    long idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
                    while (Volatile.Read(ref _posted) == done)
                    {
                        if (System.Diagnostics.Stopwatch.GetTimestamp() - idleSince < IdleTicks) continue;
                        _wake.Reset();
                        Interlocked.Exchange(ref _sleeping, 1);   // full fence before re-reading _posted
                        if (Volatile.Read(ref _posted) == done) _wake.Wait();
                        Interlocked.Exchange(ref _sleeping, 0);
                        idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
                    }
                    done = Volatile.Read(ref _posted);
                    try
                    {
                        if (_rows is { } rows) ClaimRows(rows, _inputs, _outputs);
                        else _step!.RunPart(_phase, _part, _parts, _inputs);
                    }
                    catch (Exception e) { _failure = e; }
                    Volatile.Write(ref _finished, done);
                }
            }
        }
    }
}
