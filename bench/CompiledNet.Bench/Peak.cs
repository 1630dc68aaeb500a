using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace CompiledNet.Bench;

/// <summary>
/// The machine's fp32 FMA peak, measured here: ten independent <c>Vector256</c> accumulators chained through
/// <c>vfmadd</c> (more than the 2 pipes × 4-cycle latency = 8 needed to fill the pipes), 2 FLOP per lane.
/// </summary>
public static class Peak
{
    private const long Iterations = 200_000_000;

    /// <summary>GFLOP/s over <paramref name="threads"/> threads (best of three runs).</summary>
    public static double Measure(int threads)
    {
        if (!Fma.IsSupported) return double.NaN;
        double best = 0;
        for (int run = 0; run < 3; run++)
        {
            var barrier = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() => { barrier.SignalAndWait(); Sink(Kernel(Iterations / threads)); });
                workers[t].Start();
            }
            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            foreach (var w in workers) w.Join();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, Iterations * 10.0 * 8 * 2 / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sink(float value) { if (value == 42.5f) Console.Write(""); }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a);
            c2 = Fma.MultiplyAdd(c2, m, a); c3 = Fma.MultiplyAdd(c3, m, a);
            c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a);
            c8 = Fma.MultiplyAdd(c8, m, a); c9 = Fma.MultiplyAdd(c9, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }
}
