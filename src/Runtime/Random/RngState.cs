using System;
using System.Runtime.CompilerServices;

namespace CompiledNet
{
    /// <summary>The state of an <see cref="Rng"/>: four words of xoshiro128** and the cached second Gaussian.</summary>
    public readonly record struct RngState(uint S0, uint S1, uint S2, uint S3, float Spare, bool HasSpare);
}
