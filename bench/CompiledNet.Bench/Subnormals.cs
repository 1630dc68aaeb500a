using System;

namespace CompiledNet.Bench;

/// <summary>
/// Counts subnormal floats (0 &lt; |x| &lt; 2⁻¹²⁶). On Intel cores every arithmetic instruction that reads or produces
/// one takes a microcode assist (on the order of a hundred cycles), and .NET has no portable flush-to-zero switch, so
/// a training state that fills with them slows every later step: network B's Adam first moments of units no batch
/// activates decay by β1 = 0.9 per step into that range and, rounded to nearest, stay there (0.9 × k·2⁻¹⁴⁹ rounds back
/// to k·2⁻¹⁴⁹ for k ≤ 4). The bench reports the count after its epochs so that such stalls cannot come back unseen.
/// </summary>
public static class Subnormals
{
    public static long Count(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (float v in values) if (float.IsSubnormal(v)) count++;
        return count;
    }
}
