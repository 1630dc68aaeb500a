using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet.Tests.Networks;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Generated
{
    /// <summary>
    /// PredictBatch shared among the worker threads: same bits as one thread, Predict's results within float rounding (a
    /// shared batch runs on packed weights: see PredictBatchTests), nothing allocated.
    /// </summary>
    [Collection(WorkerPoolCollection.Name)]
    public class ParallelPredictBatchTests
    {
        private static float[] Inputs(int rows, int inputs, int seed)
        {
            var rng = new Random(seed);
            var x = new float[rows * inputs];
            for (int j = 0; j < x.Length; j++) x[j] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }

        private static void AssertSameBits(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int j = 0; j < expected.Length; j++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[j]) == BitConverter.SingleToInt32Bits(actual[j]),
                    $"{what}: value {j}: {expected[j]:R} against {actual[j]:R}");
        }

        private static void AssertWithinRounding(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-5 * Math.Max(1e-3, Math.Abs(expected[j])), $"{what}: value {j}: {expected[j]:R} against {actual[j]:R}");
        }

        [Fact]
        public void TheSplitThresholdCarriesTwoMegaflopPerPartInWholeChunks()
        {
            // Chunks of 48 rows (the rows a thread claims at a time), two parts.
            // 64-256-129-10: 2·(64·256 + 256·129 + 129·10) = 101,380 FLOP a row, 20 rows for 2 MFLOP, one chunk of 48.
            Assert.Equal(2 * 48, SplitNet.PredictSplitMinRows);
            // 2-32-32-2: 2·(2·32 + 32·32 + 32·2) = 2,304 FLOP a row; 869 rows for 2 MFLOP, rounded up to 19 chunks of 48.
            Assert.Equal(2 * 912, SpiralNet.PredictSplitMinRows);
        }

        [Theory]
        [InlineData(96)]
        [InlineData(97)]
        [InlineData(143)]
        [InlineData(257)]
        public void SharedAmongThreadsGivesTheBitsOfOneThreadAndPredictsResults(int rows)
        {
            var net = new SplitNet(3);
            var x = Inputs(rows, SplitNet.InputSize, rows);
            var single = new float[rows * SplitNet.OutputSize];
            net.InferenceThreads = 1;
            net.PredictBatch(x, single);
            for (int threads = 2; threads <= 4; threads++)
            {
                var shared = new float[single.Length];
                net.InferenceThreads = threads;
                net.PredictBatch(x, shared);
                AssertSameBits(single, shared, $"{rows} rows on {threads} threads");
            }
            var one = new float[SplitNet.OutputSize];
            for (int r = 0; r < rows; r++)
            {
                net.Predict(x.AsSpan(r * SplitNet.InputSize, SplitNet.InputSize), one);
                AssertWithinRounding(one, single.AsSpan(r * SplitNet.OutputSize, SplitNet.OutputSize).ToArray(), $"row {r} against Predict");
            }
        }

        [Fact]
        public void ConcurrentCallersEachGetTheirOwnRightAnswer()
        {
            // While one caller holds the workers the others run alone; every answer is still the one-thread answer.
            var net = new SplitNet(4) { InferenceThreads = 1 };
            const int rows = 200;
            var inputs = Enumerable.Range(0, 4).Select(k => Inputs(rows, SplitNet.InputSize, 10 + k)).ToArray();
            var expected = inputs.Select(x =>
            {
                var y = new float[rows * SplitNet.OutputSize];
                net.PredictBatch(x, y);
                var one = new float[rows * SplitNet.OutputSize];
                foreach (int r in Enumerable.Range(0, rows)) net.Predict(x.AsSpan(r * SplitNet.InputSize, SplitNet.InputSize), one.AsSpan(r * SplitNet.OutputSize, SplitNet.OutputSize));
                AssertWithinRounding(one, y, "one thread against Predict");
                return y;
            }).ToArray();
            net.InferenceThreads = 2;
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
            {
                var y = new float[rows * SplitNet.OutputSize];
                for (int repeat = 0; repeat < 50; repeat++)
                {
                    net.PredictBatch(inputs[k], y);
                    AssertSameBits(expected[k], y, $"caller {k}, call {repeat}");
                }
            });
        }

        [Fact]
        public void ThreadCountsOutsideTheRangeAreRefusedWithTheValue()
        {
            var net = new SplitNet(1);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.InferenceThreads = 0);
            Assert.Equal(0, e.ActualValue);
            Assert.Throws<ArgumentOutOfRangeException>(() => net.InferenceThreads = WorkerPool.MaxThreads + 1);
            Assert.Equal(WorkerPool.DefaultThreads, new SplitNet(1).InferenceThreads);
        }

        /// <summary>Runs the network's own chunks and counts what each thread allocates for them (packing included).</summary>
        private sealed class Measured : IParallelRows
        {
            private readonly IParallelRows _inner;
            public long Bytes;
            public Measured(IParallelRows inner) => _inner = inner;
            public void BeginRows()
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                _inner.BeginRows();
                Interlocked.Add(ref Bytes, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            public void RunRows(nint inputs, nint outputs, int start, int count)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                _inner.RunRows(inputs, outputs, start, count);
                Interlocked.Add(ref Bytes, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        [Fact]
        public void SharedBatchesAllocateNothingOnAnyThreadAfterWarmUp()
        {
            var net = new SplitNet(5) { InferenceThreads = 2 };
            var x = Inputs(256, SplitNet.InputSize, 5);
            var y = new float[256 * SplitNet.OutputSize];
            // The calling thread, through the public entry point.
            Assert.Equal(0, Allocations.Of(() => { for (int i = 0; i < 20; i++) net.PredictBatch(x, y); }));
            // Every part on whichever thread runs it: the caller and the workers.
            var measured = new Measured(net);
            long least = long.MaxValue;
            for (int attempt = 0; attempt < 4 && least != 0; attempt++)
            {
                measured.Bytes = 0;
                for (int i = 0; i < 20; i++) Assert.True(WorkerPool.TryRunRows(measured, x, y, 256, 2, 48));
                if (attempt > 0) least = Math.Min(least, measured.Bytes);   // the first attempt is the warm-up
            }
            Assert.Equal(0, least);
        }

        private sealed class Recorder : IParallelRows
        {
            public readonly ConcurrentQueue<(string Call, int Start, int Count, int Thread)> Calls = new();
            public int SlowThread = -1;
            public void BeginRows() => Calls.Enqueue(("begin", 0, 0, Environment.CurrentManagedThreadId));
            public void RunRows(nint inputs, nint outputs, int start, int count)
            {
                Calls.Enqueue(("run", start, count, Environment.CurrentManagedThreadId));
                if (Environment.CurrentManagedThreadId == SlowThread) Thread.Sleep(50);
            }
        }

        [Fact]
        public void ThreadsClaimChunksThatCoverEveryRowOnceEachBeginningOnce()
        {
            var job = new Recorder();
            var x = new float[10];
            var y = new float[10];
            Assert.True(WorkerPool.TryRunRows(job, x, y, rows: 100, parts: 3, chunk: 32));
            var runs = job.Calls.Where(c => c.Call == "run").OrderBy(c => c.Start).ToArray();
            Assert.Equal(new[] { (0, 32), (32, 32), (64, 32), (96, 4) }, runs.Select(c => (c.Start, c.Count)).ToArray());
            // Every thread that ran a chunk began exactly once, before its first chunk.
            foreach (var thread in runs.Select(c => c.Thread).Distinct())
            {
                var own = job.Calls.Where(c => c.Thread == thread).ToArray();
                Assert.Equal("begin", own[0].Call);
                Assert.Single(own, c => c.Call == "begin");
            }

            // Too few rows for two chunks: nothing runs, the caller does the work alone.
            var small = new Recorder();
            Assert.False(WorkerPool.TryRunRows(small, x, y, rows: 32, parts: 2, chunk: 32));
            Assert.Empty(small.Calls);
        }

        [Fact]
        public void ASlowThreadClaimsFewerChunks()
        {
            // The caller sleeps 50 ms in every chunk it runs; the worker does not, so it claims the rest meanwhile. A static
            // split would give the caller 4 of the 8 chunks.
            var job = new Recorder { SlowThread = Environment.CurrentManagedThreadId };
            Assert.True(WorkerPool.TryRunRows(job, new float[1], new float[1], rows: 32 * 8, parts: 2, chunk: 32));
            var runs = job.Calls.Where(c => c.Call == "run").ToArray();
            Assert.Equal(8, runs.Length);
            Assert.Equal(Enumerable.Range(0, 8).Select(k => 32 * k), runs.Select(c => c.Start).OrderBy(v => v));
            int byCaller = runs.Count(c => c.Thread == Environment.CurrentManagedThreadId);
            Assert.True(byCaller < 4, $"the slow caller ran {byCaller} of 8 chunks");
        }

        [Fact]
        public void AFailingPartIsReportedAfterEveryPartHasFinished()
        {
            var job = new Failing();
            var e = Assert.Throws<AggregateException>(() => WorkerPool.TryRunRows(job, new float[1], new float[1], rows: 8, parts: 2, chunk: 4));
            Assert.IsType<InvalidOperationException>(e.InnerException);
            Assert.Equal(2, job.Finished);
        }

        [Fact]
        public void WhenTheCallersPartFailsTheWorkersStillFinishBeforeTheException()
        {
            // The worker's part is slow: the failure must not be reported (and the batch unpinned) while it still runs.
            var job = new Failing { FailingStart = 0, SlowStart = 4 };
            var e = Assert.Throws<AggregateException>(() => WorkerPool.TryRunRows(job, new float[1], new float[1], rows: 8, parts: 2, chunk: 4));
            Assert.Equal("part 0", e.InnerException!.Message);
            Assert.Equal(2, Volatile.Read(ref job.Finished));
        }

        private sealed class Failing : IParallelRows
        {
            public int Finished;
            public int FailingStart = 4, SlowStart = -1;
            public void BeginRows() { }
            public void RunRows(nint inputs, nint outputs, int start, int count)
            {
                if (start == SlowStart) Thread.Sleep(200);
                Interlocked.Increment(ref Finished);
                if (start == FailingStart) throw new InvalidOperationException("part " + start);
            }
        }
    }
}
