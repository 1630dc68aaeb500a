using System;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// A plain double-precision implementation of a dense network and its losses, written from the standard formulas
/// and the documented parameter layout (per layer: weights row-major [input][unit], then biases). Tests compare the
/// generated float code against it; it shares no code with the generator.
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly int _input;
    private readonly (int Units, Activation Activation)[] _layers;
    private readonly LossKind _loss;

    public ReferenceNetwork(int input, LossKind loss, params (int Units, Activation Activation)[] layers)
    {
        _input = input;
        _layers = layers;
        _loss = loss;
    }

    public int ParameterCount
    {
        get
        {
            int count = 0, fanIn = _input;
            foreach (var (units, _) in _layers) { count += fanIn * units + units; fanIn = units; }
            return count;
        }
    }

    /// <summary>Outputs a and logits z of the last layer for one example.</summary>
    public (double[] Output, double[] Logits) Forward(double[] p, ReadOnlySpan<float> x)
    {
        var a = new double[x.Length];
        for (int i = 0; i < x.Length; i++) a[i] = x[i];
        int offset = 0, fanIn = _input;
        double[] z = a;
        foreach (var (units, activation) in _layers)
        {
            z = new double[units];
            for (int o = 0; o < units; o++)
            {
                double s = p[offset + fanIn * units + o];
                for (int i = 0; i < fanIn; i++) s += a[i] * p[offset + i * units + o];
                z[o] = s;
            }
            a = Activate(z, activation);
            offset += fanIn * units + units;
            fanIn = units;
        }
        return (a, z);
    }

    private static double[] Activate(double[] z, Activation activation)
    {
        var a = new double[z.Length];
        switch (activation)
        {
            case Activation.Softmax:
                double max = double.NegativeInfinity;
                foreach (var v in z) max = Math.Max(max, v);
                double sum = 0;
                for (int k = 0; k < z.Length; k++) { a[k] = Math.Exp(z[k] - max); sum += a[k]; }
                for (int k = 0; k < z.Length; k++) a[k] /= sum;
                break;
            default:
                for (int k = 0; k < z.Length; k++)
                    a[k] = activation switch
                    {
                        Activation.Sigmoid => 1 / (1 + Math.Exp(-z[k])),
                        Activation.Tanh => Math.Tanh(z[k]),
                        Activation.ReLU => Math.Max(0, z[k]),
                        _ => z[k],
                    };
                break;
        }
        return a;
    }

    /// <summary>The loss of one example, straight from the definitions (log of the probabilities, in double).</summary>
    public double Loss(double[] p, ReadOnlySpan<float> x, ReadOnlySpan<float> t)
    {
        var (a, _) = Forward(p, x);
        double loss = 0;
        for (int k = 0; k < a.Length; k++)
            loss += _loss switch
            {
                LossKind.Quadratic => (a[k] - t[k]) * (a[k] - t[k]),
                LossKind.LogLoss => -(t[k] * Math.Log(a[k]) + (1 - t[k]) * Math.Log(1 - a[k])),
                _ => -t[k] * Math.Log(a[k]),
            };
        return loss;
    }

    /// <summary>Mean loss over a batch.</summary>
    public double MeanLoss(double[] p, ReadOnlySpan<float> xs, ReadOnlySpan<float> ts, int count)
    {
        int outputs = _layers[^1].Units;
        double sum = 0;
        for (int r = 0; r < count; r++)
            sum += Loss(p, xs.Slice(r * _input, _input), ts.Slice(r * outputs, outputs));
        return sum / count;
    }

    /// <summary>Central finite differences of the mean loss, in double precision.</summary>
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
