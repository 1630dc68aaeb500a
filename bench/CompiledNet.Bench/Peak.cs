using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace CompiledNet.Bench;

/// <summary>
/// The machine's fp32 FMA peak, measured here for every vector width the JIT accelerates in this process: ten
/// independent accumulators chained through fused multiply-adds (more than the 2 pipes × 4-cycle latency = 8 needed
/// to fill the pipes), 2 FLOP per lane. Every share of peak the bench reports is against the widest width's peak.
/// </summary>
public static class Peak
{
    private const long Iterations = 100_000_000;

    /// <summary>One measured width: its name, lanes, and GFLOP/s on 1 and 2 threads.</summary>
    public sealed record Width(string Name, int Lanes, double OneThread, double TwoThreads);

    /// <summary>
    /// True where fused multiply-add is a hardware instruction (x64 FMA3, Arm64 AdvSimd); elsewhere the kernel runs
    /// a multiply and an add (still 2 FLOP per lane) so that no software FMA fallback is timed.
    /// </summary>
    public static bool HardwareFma => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;

    /// <summary>Peaks of Vector128, Vector256 and Vector512, each only where <c>IsHardwareAccelerated</c>.</summary>
    public static List<Width> MeasureAll()
    {
        var widths = new List<Width>();
        if (Vector128.IsHardwareAccelerated) widths.Add(new("Vector128", 4, Measure(1, Kernel128, 4), Measure(2, Kernel128, 4)));
        if (Vector256.IsHardwareAccelerated) widths.Add(new("Vector256", 8, Measure(1, Kernel256, 8), Measure(2, Kernel256, 8)));
        if (Vector512.IsHardwareAccelerated) widths.Add(new("Vector512", 16, Measure(1, Kernel512, 16), Measure(2, Kernel512, 16)));
        return widths;
    }

    /// <summary>The widest accelerated width's peak on one thread (its <see cref="Width.TwoThreads"/> is not measured: 0).</summary>
    public static Width MeasureWidestOneThread()
        => Vector512.IsHardwareAccelerated ? new("Vector512", 16, Measure(1, Kernel512, 16), 0)
            : Vector256.IsHardwareAccelerated ? new("Vector256", 8, Measure(1, Kernel256, 8), 0)
            : new("Vector128", 4, Measure(1, Kernel128, 4), 0);

    /// <summary>The CPU's model name (Linux: /proc/cpuinfo, with family and model numbers), else the architecture.</summary>
    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var fields = new Dictionary<string, string>();
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.Length == 0) break;   // first processor only
                    int colon = line.IndexOf(':');
                    if (colon > 0) fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
                }
                if (fields.TryGetValue("model name", out var name))
                    return fields.TryGetValue("cpu family", out var family) && fields.TryGetValue("model", out var model)
                        ? $"{name} (family {family}, model {model})" : name;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The JIT's vector state and the environment variables that change it, as one line.</summary>
    public static string VectorState()
    {
        var env = new[] { "DOTNET_PreferredVectorBitWidth", "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_EnableHWIntrinsic" }
            .Select(n => (n, Environment.GetEnvironmentVariable(n))).Where(p => p.Item2 is not null).Select(p => $"{p.n}={p.Item2}").ToList();
        // Accepted but without effect on .NET 10 (Vector512 stays accelerated): named so that a run does not look forced when it is not.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") is string f) env.Add($"DOTNET_EnableAVX512F={f} (no effect on .NET 10)");
        return $"Vector128.IsHardwareAccelerated = {Vector128.IsHardwareAccelerated}, Vector256 = {Vector256.IsHardwareAccelerated}, Vector512 = {Vector512.IsHardwareAccelerated}; " +
            $"hardware FMA: {HardwareFma}; {(env.Count == 0 ? "no width-changing DOTNET_ variable set" : string.Join(", ", env))}";
    }

    /// <summary>GFLOP/s over <paramref name="threads"/> threads (best of three runs).</summary>
    private static double Measure(int threads, Func<long, float> kernel, int lanes)
    {
        double best = 0;
        for (int run = 0; run < 3; run++)
        {
            var barrier = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() => { barrier.SignalAndWait(); Sink(kernel(Iterations / threads)); });
                workers[t].Start();
            }
            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            foreach (var w in workers) w.Join();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, Iterations * 10.0 * lanes * 2 / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sink(float value) { if (value == 42.5f) Console.Write(""); }

    // Three copies of one kernel (one per width), each with its multiply-and-add twin; the `HardwareFma` test is a JIT-time constant.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel128(long iterations)
    {
        if (!HardwareFma) return MulAdd128(iterations);
        var m = Vector128.Create(0.999999f);
        var a = Vector128.Create(1e-7f);
        Vector128<float> c0 = Vector128.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, m, a); c1 = Vector128.FusedMultiplyAdd(c1, m, a);
            c2 = Vector128.FusedMultiplyAdd(c2, m, a); c3 = Vector128.FusedMultiplyAdd(c3, m, a);
            c4 = Vector128.FusedMultiplyAdd(c4, m, a); c5 = Vector128.FusedMultiplyAdd(c5, m, a);
            c6 = Vector128.FusedMultiplyAdd(c6, m, a); c7 = Vector128.FusedMultiplyAdd(c7, m, a);
            c8 = Vector128.FusedMultiplyAdd(c8, m, a); c9 = Vector128.FusedMultiplyAdd(c9, m, a);
        }
        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }

    /// <summary>Kernel128 without hardware FMA: a multiply and an add. A method of its own: with both loops in one method the JIT kept this loop's accumulators on the stack (measured: a third of the throughput).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float MulAdd128(long iterations)
    {
        var m = Vector128.Create(0.999999f);
        var a = Vector128.Create(1e-7f);
        Vector128<float> c0 = Vector128.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = c0 * m + a; c1 = c1 * m + a; c2 = c2 * m + a; c3 = c3 * m + a; c4 = c4 * m + a;
            c5 = c5 * m + a; c6 = c6 * m + a; c7 = c7 * m + a; c8 = c8 * m + a; c9 = c9 * m + a;
        }
        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel256(long iterations)
    {
        if (!HardwareFma) return MulAdd256(iterations);
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }

    /// <summary>Kernel256 without hardware FMA: a multiply and an add. A method of its own: with both loops in one method the JIT kept this loop's accumulators on the stack (measured: a third of the throughput).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float MulAdd256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = c0 * m + a; c1 = c1 * m + a; c2 = c2 * m + a; c3 = c3 * m + a; c4 = c4 * m + a;
            c5 = c5 * m + a; c6 = c6 * m + a; c7 = c7 * m + a; c8 = c8 * m + a; c9 = c9 * m + a;
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel512(long iterations)
    {
        if (!HardwareFma) return MulAdd512(iterations);
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }

    /// <summary>Kernel512 without hardware FMA: a multiply and an add. A method of its own: with both loops in one method the JIT kept this loop's accumulators on the stack (measured: a third of the throughput).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float MulAdd512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = c0 * m + a; c1 = c1 * m + a; c2 = c2 * m + a; c3 = c3 * m + a; c4 = c4 * m + a;
            c5 = c5 * m + a; c6 = c6 * m + a; c7 = c7 * m + a; c8 = c8 * m + a; c9 = c9 * m + a;
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9);
    }
}
