using System;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// A double-precision reference for a whole batch, with the layer options that couple examples or need masks:
/// batch normalisation (batch mean and biased variance, γ, β), dropout and DropConnect with given masks.
/// Written from the formulas and the documented layout (per layer: weights [input][unit], then biases, or γ then β).
/// </summary>
public sealed class BatchReference
{
    public sealed record Layer(int Units, Activation Activation, bool BatchNorm = false, int Pieces = 1)
    {
        public int Width => Activation == Activation.Maxout ? Units * Pieces : Units;
    }

    private readonly int _input;
    private readonly Layer[] _layers;
    private readonly LossKind _loss;

    public BatchReference(int input, LossKind loss, params Layer[] layers) => (_input, _loss, _layers) = (input, loss, layers);

    /// <summary>Masks, each 0 or 1/(1 − p): per layer (index 0 = input) count×units for dropout, in×units for DropConnect; null = none.</summary>
    public float[]?[] DropoutMasks { get; set; } = Array.Empty<float[]?>();
    public float[]?[] DropConnectMasks { get; set; } = Array.Empty<float[]?>();

    public int ParameterCount
    {
        get
        {
            int count = 0, fanIn = _input;
            foreach (var layer in _layers) { count += fanIn * layer.Width + (layer.BatchNorm ? 2 : 1) * layer.Width; fanIn = layer.Units; }
            return count;
        }
    }

    private float[]? Mask(float[]?[] masks, int index) => index < masks.Length ? masks[index] : null;

    public double MeanLoss(double[] p, ReadOnlySpan<float> xs, ReadOnlySpan<float> ts, int count)
    {
        var a = new double[count][];
        var inputMask = Mask(DropoutMasks, 0);
        for (int r = 0; r < count; r++)
        {
            a[r] = new double[_input];
            for (int i = 0; i < _input; i++) a[r][i] = xs[r * _input + i] * (inputMask?[r * _input + i] ?? 1f);
        }
        int offset = 0, fanIn = _input;
        double[][] z = a;
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            int units = layer.Width;
            var connect = Mask(DropConnectMasks, l + 1);
            z = new double[count][];
            for (int r = 0; r < count; r++)
            {
                z[r] = new double[units];
                for (int o = 0; o < units; o++)
                {
                    double s = layer.BatchNorm ? 0 : p[offset + fanIn * units + o];
                    for (int i = 0; i < fanIn; i++) s += a[r][i] * p[offset + i * units + o] * (connect?[i * units + o] ?? 1f);
                    z[r][o] = s;
                }
            }
            if (layer.BatchNorm)
            {
                for (int o = 0; o < units; o++)
                {
                    double mean = 0, variance = 0;
                    for (int r = 0; r < count; r++) mean += z[r][o];
                    mean /= count;
                    for (int r = 0; r < count; r++) variance += (z[r][o] - mean) * (z[r][o] - mean);
                    variance /= count;
                    double gamma = p[offset + fanIn * units + o], beta = p[offset + fanIn * units + units + o];
                    for (int r = 0; r < count; r++) z[r][o] = gamma * (z[r][o] - mean) / Math.Sqrt(variance + 1e-5) + beta;
                }
            }
            var mask = Mask(DropoutMasks, l + 1);
            a = new double[count][];
            for (int r = 0; r < count; r++)
            {
                a[r] = layer.Activation == Activation.Maxout ? Maxout(z[r], layer.Pieces) : Activate(z[r], layer.Activation);
                if (mask != null) for (int o = 0; o < layer.Units; o++) a[r][o] *= mask[r * layer.Units + o];
            }
            offset += fanIn * units + (layer.BatchNorm ? 2 : 1) * units;
            fanIn = layer.Units;
        }
        int outputs = _layers[^1].Units;
        double total = 0;
        for (int r = 0; r < count; r++)
            for (int k = 0; k < outputs; k++)
            {
                double y = a[r][k], t = ts[r * outputs + k];
                total += _loss switch
                {
                    LossKind.Quadratic => (y - t) * (y - t),
                    LossKind.LogLoss => -(t * Math.Log(y) + (1 - t) * Math.Log(1 - y)),
                    _ => -t * Math.Log(y),
                };
            }
        return total / count;
    }

    /// <summary>Unit u is the largest of pieces [u·k, u·k + k).</summary>
    private static double[] Maxout(double[] z, int k)
    {
        var a = new double[z.Length / k];
        for (int u = 0; u < a.Length; u++)
        {
            a[u] = z[u * k];
            for (int j = 1; j < k; j++) a[u] = Math.Max(a[u], z[u * k + j]);
        }
        return a;
    }

    private static double[] Activate(double[] z, Activation activation)
    {
        var a = new double[z.Length];
        if (activation == Activation.Softmax)
        {
            double max = double.NegativeInfinity, sum = 0;
            foreach (var v in z) max = Math.Max(max, v);
            for (int k = 0; k < z.Length; k++) { a[k] = Math.Exp(z[k] - max); sum += a[k]; }
            for (int k = 0; k < z.Length; k++) a[k] /= sum;
            return a;
        }
        for (int k = 0; k < z.Length; k++)
            a[k] = activation switch
            {
                Activation.Sigmoid => 1 / (1 + Math.Exp(-z[k])),
                Activation.Tanh => Math.Tanh(z[k]),
                Activation.ReLU => Math.Max(0, z[k]),
                _ => z[k],
            };
        return a;
    }

    public double[] NumericGradient(double[] p, ReadOnlySpan<float> xs, ReadOnlySpan<float> ts, int count, double h = 1e-5)
    {
        var g = new double[p.Length];
        for (int j = 0; j < p.Length; j++)
        {
            double keep = p[j];
            p[j] = keep + h;
            double plus = MeanLoss(p, xs, ts, count);
            p[j] = keep - h;
            double minus = MeanLoss(p, xs, ts, count);
            p[j] = keep;
            g[j] = (plus - minus) / (2 * h);
        }
        return g;
    }
}
