using System;
using System.Collections.Generic;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// A plain double-precision convolutional network written from the definitions, sharing no code with the generator:
/// convolution as the six nested sums of its definition over a zero-padded image (no unfolding), pooling window by
/// window, then dense layers. Parameter layout as documented: each convolution's weights [out, in, kH, kW] then its
/// biases (or, batch-normalised, γ then β per channel), before the dense layers (weights [input][unit], then biases).
/// Batch norm (Ioffe and Szegedy, 2015, section 3.2) is written per channel over the rows and positions of a whole
/// batch in training mode, and with given population statistics (the normalised convolutions' mean then variance per
/// channel, in order) in inference mode; dropout multiplies a convolution's outputs by the mask given for its layer.
/// </summary>
public sealed class ConvReference
{
    public abstract record Layer;

    public sealed record Conv(int Filters, int KernelHeight, int KernelWidth, int Stride, int Padding, Activation Activation, bool Bias = true, bool BatchNorm = false) : Layer;

    /// <summary>ε of √(σ² + ε), as documented for batch norm.</summary>
    public const double Epsilon = 1e-5;

    public sealed record Pool(bool Max, int Size, int Stride) : Layer;

    public sealed record Dense(int Units, Activation Activation) : Layer;

    private readonly (int C, int H, int W) _image;
    private readonly Layer[] _layers;
    private readonly LossKind _loss;

    public ConvReference((int C, int H, int W) image, LossKind loss, params Layer[] layers)
    {
        _image = image;
        _layers = layers;
        _loss = loss;
    }

    public int ParameterCount
    {
        get
        {
            int count = 0;
            var (c, h, w) = _image;
            int flat = c * h * w;
            foreach (var layer in _layers)
                switch (layer)
                {
                    case Conv k:
                        count += k.Filters * c * k.KernelHeight * k.KernelWidth + (k.BatchNorm ? 2 * k.Filters : k.Bias ? k.Filters : 0);
                        (c, h, w) = (k.Filters, (h + 2 * k.Padding - k.KernelHeight) / k.Stride + 1, (w + 2 * k.Padding - k.KernelWidth) / k.Stride + 1);
                        flat = c * h * w;
                        break;
                    case Pool q:
                        (h, w) = ((h - q.Size) / q.Stride + 1, (w - q.Size) / q.Stride + 1);
                        flat = c * h * w;
                        break;
                    case Dense d:
                        count += flat * d.Units + d.Units;
                        flat = d.Units;
                        break;
                }
            return count;
        }
    }

    /// <summary>One example in inference mode (<paramref name="statistics"/>: the population statistics of the normalised convolutions).</summary>
    public double[] Forward(double[] p, ReadOnlySpan<float> x, double[]? statistics = null)
        => ForwardBatch(p, x, 1, training: false, statistics, null)[0];

    /// <summary>
    /// <paramref name="count"/> examples layer by layer. Training mode: each normalised convolution uses the mean and
    /// biased variance of its channel over the batch's rows and positions, and a layer with an entry in
    /// <paramref name="masks"/> (keyed by its 1-based number among the convolution and pooling layers) multiplies its
    /// outputs by it, row after row. Inference mode: the population <paramref name="statistics"/>, no masks.
    /// <paramref name="normalisedInputs"/>, when given, receives each normalised convolution's z of every row.
    /// </summary>
    public double[][] ForwardBatch(double[] p, ReadOnlySpan<float> xs, int count, bool training, double[]? statistics,
        IReadOnlyDictionary<int, float[]>? masks, List<double[][]>? normalisedInputs = null)
    {
        var (c, h, w) = _image;
        int inputs = xs.Length / count;
        var a = new double[count][];
        for (int r = 0; r < count; r++)
        {
            a[r] = new double[inputs];
            for (int i = 0; i < inputs; i++) a[r][i] = xs[r * inputs + i];
        }
        int offset = 0, statisticsOffset = 0, number = 0;
        foreach (var layer in _layers)
        {
            number++;
            switch (layer)
            {
                case Conv k:
                {
                    int oh = (h + 2 * k.Padding - k.KernelHeight) / k.Stride + 1, ow = (w + 2 * k.Padding - k.KernelWidth) / k.Stride + 1;
                    int positions = oh * ow;
                    int biases = offset + k.Filters * c * k.KernelHeight * k.KernelWidth;
                    var z = new double[count][];
                    for (int r = 0; r < count; r++)
                    {
                        z[r] = new double[k.Filters * positions];
                        for (int o = 0; o < k.Filters; o++)
                            for (int i = 0; i < oh; i++)
                                for (int j = 0; j < ow; j++)
                                {
                                    double sum = k.Bias && !k.BatchNorm ? p[biases + o] : 0;
                                    for (int ch = 0; ch < c; ch++)
                                        for (int u = 0; u < k.KernelHeight; u++)
                                            for (int v = 0; v < k.KernelWidth; v++)
                                            {
                                                int yy = i * k.Stride + u - k.Padding, xx = j * k.Stride + v - k.Padding;
                                                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue; // zero padding
                                                sum += p[offset + ((o * c + ch) * k.KernelHeight + u) * k.KernelWidth + v] * a[r][(ch * h + yy) * w + xx];
                                            }
                                    z[r][(o * oh + i) * ow + j] = sum;
                                }
                    }
                    if (k.BatchNorm)
                    {
                        normalisedInputs?.Add(Array.ConvertAll(z, row => (double[])row.Clone()));
                        for (int o = 0; o < k.Filters; o++)
                        {
                            double mean, variance;
                            if (training)
                            {
                                double total = 0, squares = 0;
                                for (int r = 0; r < count; r++) for (int q = 0; q < positions; q++) total += z[r][o * positions + q];
                                mean = total / (count * positions);
                                for (int r = 0; r < count; r++) for (int q = 0; q < positions; q++) squares += (z[r][o * positions + q] - mean) * (z[r][o * positions + q] - mean);
                                variance = squares / (count * positions);
                            }
                            else
                            {
                                mean = statistics![statisticsOffset + o];
                                variance = statistics[statisticsOffset + k.Filters + o];
                            }
                            double gamma = p[biases + o], beta = p[biases + k.Filters + o];
                            for (int r = 0; r < count; r++)
                                for (int q = 0; q < positions; q++)
                                    z[r][o * positions + q] = gamma * (z[r][o * positions + q] - mean) / Math.Sqrt(variance + Epsilon) + beta;
                        }
                        statisticsOffset += 2 * k.Filters;
                    }
                    for (int r = 0; r < count; r++)
                        for (int q = 0; q < z[r].Length; q++)
                        {
                            z[r][q] = Activate(z[r][q], k.Activation);
                            if (training && masks is not null && masks.TryGetValue(number, out var mask)) z[r][q] *= mask[r * z[r].Length + q];
                        }
                    offset = biases + (k.BatchNorm ? 2 * k.Filters : k.Bias ? k.Filters : 0);
                    (a, c, h, w) = (z, k.Filters, oh, ow);
                    break;
                }
                case Pool q:
                {
                    int oh = (h - q.Size) / q.Stride + 1, ow = (w - q.Size) / q.Stride + 1;
                    for (int r = 0; r < count; r++)
                    {
                        var y = new double[c * oh * ow];
                        for (int ch = 0; ch < c; ch++)
                            for (int i = 0; i < oh; i++)
                                for (int j = 0; j < ow; j++)
                                {
                                    double best = double.NegativeInfinity, sum = 0;
                                    for (int u = 0; u < q.Size; u++)
                                        for (int v = 0; v < q.Size; v++)
                                        {
                                            double value = a[r][(ch * h + i * q.Stride + u) * w + j * q.Stride + v];
                                            best = Math.Max(best, value);
                                            sum += value;
                                        }
                                    y[(ch * oh + i) * ow + j] = q.Max ? best : sum / (q.Size * q.Size);
                                }
                        a[r] = y;
                    }
                    (h, w) = (oh, ow);
                    break;
                }
                case Dense d:
                {
                    int fanIn = a[0].Length;
                    for (int r = 0; r < count; r++)
                    {
                        var z = new double[d.Units];
                        for (int o = 0; o < d.Units; o++)
                        {
                            double sum = p[offset + fanIn * d.Units + o];
                            for (int i = 0; i < fanIn; i++) sum += a[r][i] * p[offset + i * d.Units + o];
                            z[o] = sum;
                        }
                        if (d.Activation == Activation.Softmax)
                        {
                            double max = double.NegativeInfinity, total = 0;
                            foreach (var v in z) max = Math.Max(max, v);
                            for (int k = 0; k < z.Length; k++) { z[k] = Math.Exp(z[k] - max); total += z[k]; }
                            for (int k = 0; k < z.Length; k++) z[k] /= total;
                        }
                        else
                            for (int k = 0; k < z.Length; k++) z[k] = Activate(z[k], d.Activation);
                        a[r] = z;
                    }
                    offset += fanIn * d.Units + d.Units;
                    break;
                }
            }
        }
        return a;
    }

    private static double Activate(double z, Activation activation) => activation switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        Activation.Tanh => Math.Tanh(z),
        Activation.ReLU => Math.Max(0, z),
        _ => z,
    };

    public double Loss(double[] p, ReadOnlySpan<float> x, ReadOnlySpan<float> t) => OutputLoss(Forward(p, x), t);

    /// <summary>The mean loss of a batch in training mode: batch-norm statistics of the batch, the given dropout masks.</summary>
    public double TrainingMeanLoss(double[] p, ReadOnlySpan<float> xs, ReadOnlySpan<float> ts, int count, IReadOnlyDictionary<int, float[]>? masks = null)
    {
        var a = ForwardBatch(p, xs, count, training: true, null, masks);
        int outputs = ts.Length / count;
        double sum = 0;
        for (int r = 0; r < count; r++) sum += OutputLoss(a[r], ts.Slice(r * outputs, outputs));
        return sum / count;
    }

    /// <summary>Central finite differences of <paramref name="loss"/> with respect to every parameter, in double precision.</summary>
    public static double[] NumericGradient(double[] p, Func<double> loss, double h = 1e-5)
    {
        var g = new double[p.Length];
        for (int j = 0; j < p.Length; j++)
        {
            double keep = p[j];
            p[j] = keep + h;
            double plus = loss();
            p[j] = keep - h;
            double minus = loss();
            p[j] = keep;
            g[j] = (plus - minus) / (2 * h);
        }
        return g;
    }

    private double OutputLoss(double[] a, ReadOnlySpan<float> t)
    {
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

    public double MeanLoss(double[] p, ReadOnlySpan<float> xs, ReadOnlySpan<float> ts, int count)
    {
        int inputs = xs.Length / count, outputs = ts.Length / count;
        double sum = 0;
        for (int r = 0; r < count; r++)
            sum += Loss(p, xs.Slice(r * inputs, inputs), ts.Slice(r * outputs, outputs));
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
