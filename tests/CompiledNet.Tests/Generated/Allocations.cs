using System;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// Measures the bytes a piece of code allocates on the current thread. The runtime itself may allocate once while
/// it re-compiles a hot method (tiered JIT, on-stack replacement) in the middle of a measurement, so the code is
/// warmed up first and measured up to three times; the smallest count is returned. Code that allocates on every
/// call shows it in every attempt.
/// </summary>
internal static class Allocations
{
    public static long Of(Action action)
    {
        action();
        action();
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 3 && least != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
