using System;

namespace CompiledNet.Bench;

/// <summary>
/// Network A written the plain way: per-example scalar loops over jagged-free float arrays, no SIMD, batch-32 SGD
/// (gradients averaged over the batch). The floor any "compiled" claim must be far above.
/// </summary>
public sealed class ScalarFloor
{
    private const int In = 784, Hidden = 128, Out = 10, Batch = 32;
    private readonly float[] _w1 = new float[Hidden * In], _b1 = new float[Hidden], _w2 = new float[Out * Hidden], _b2 = new float[Out];
    private readonly float[] _gw1 = new float[Hidden * In], _gb1 = new float[Hidden], _gw2 = new float[Out * Hidden], _gb2 = new float[Out];
    private readonly float[] _h = new float[Hidden], _o = new float[Out], _dh = new float[Hidden];
    private readonly Random _random = new(1);
    private readonly int[] _order;
    private readonly Dataset _data;

    public ScalarFloor(Dataset train)
    {
        _data = train;
        _order = new int[train.Count];
        float s1 = MathF.Sqrt(2f / In), s2 = MathF.Sqrt(2f / Hidden);
        for (int i = 0; i < _w1.Length; i++) _w1[i] = (float)(_random.NextDouble() * 2 - 1) * s1;
        for (int i = 0; i < _w2.Length; i++) _w2[i] = (float)(_random.NextDouble() * 2 - 1) * s2;
    }

    /// <summary>Trains on the first <paramref name="examples"/> of a fresh permutation; returns the mean loss.</summary>
    public double Epoch(int examples)
    {
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _random.Shuffle(_order);
        double loss = 0;
        for (int start = 0; start < examples; start += Batch)
        {
            int count = Math.Min(Batch, examples - start);
            Array.Clear(_gw1); Array.Clear(_gb1); Array.Clear(_gw2); Array.Clear(_gb2);
            for (int e = 0; e < count; e++)
            {
                var x = _data.Features(_order[start + e]);
                int label = _data.Label(_order[start + e]);
                for (int j = 0; j < Hidden; j++)
                {
                    float z = _b1[j];
                    for (int i = 0; i < In; i++) z += _w1[j * In + i] * x[i];
                    _h[j] = z > 0 ? z : 0;
                }
                float max = float.MinValue;
                for (int k = 0; k < Out; k++)
                {
                    float z = _b2[k];
                    for (int j = 0; j < Hidden; j++) z += _w2[k * Hidden + j] * _h[j];
                    _o[k] = z;
                    max = MathF.Max(max, z);
                }
                float sum = 0;
                for (int k = 0; k < Out; k++) { _o[k] = MathF.Exp(_o[k] - max); sum += _o[k]; }
                for (int k = 0; k < Out; k++) _o[k] /= sum;
                loss -= Math.Log(Math.Max(_o[label], 1e-30f));
                Array.Clear(_dh);
                for (int k = 0; k < Out; k++)
                {
                    float d = (_o[k] - (k == label ? 1 : 0)) / count;
                    _gb2[k] += d;
                    for (int j = 0; j < Hidden; j++) { _gw2[k * Hidden + j] += d * _h[j]; _dh[j] += d * _w2[k * Hidden + j]; }
                }
                for (int j = 0; j < Hidden; j++)
                {
                    if (_h[j] <= 0) continue;
                    float d = _dh[j];
                    _gb1[j] += d;
                    for (int i = 0; i < In; i++) _gw1[j * In + i] += d * x[i];
                }
            }
            for (int i = 0; i < _w1.Length; i++) _w1[i] -= 0.1f * _gw1[i];
            for (int i = 0; i < _b1.Length; i++) _b1[i] -= 0.1f * _gb1[i];
            for (int i = 0; i < _w2.Length; i++) _w2[i] -= 0.1f * _gw2[i];
            for (int i = 0; i < _b2.Length; i++) _b2[i] -= 0.1f * _gb2[i];
        }
        return loss / examples;
    }
}
