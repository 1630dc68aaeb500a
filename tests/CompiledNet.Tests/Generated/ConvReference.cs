using System;
using System.Collections.Generic;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// A plain double-precision convolutional network written from the definitions, sharing no code with the generator:
/// convolution as the six nested sums of its definition over a zero-padded image (no unfolding), pooling window by
/// window, then dense layers. Parameter layout as documented: each convolution's weights [out, in, kH, kW] then its
/// biases, before the dense layers (weights [input][unit], then biases).
/// </summary>
public sealed class ConvReference
{
    public abstract record Layer;

    public sealed record Conv(int Filters, int KernelHeight, int KernelWidth, int Stride, int Padding, Activation Activation, bool Bias = true) : Layer;

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
                        count += k.Filters * c * k.KernelHeight * k.KernelWidth + (k.Bias ? k.Filters : 0);
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

    public double[] Forward(double[] p, ReadOnlySpan<float> x)
    {
        var (c, h, w) = _image;
        var a = new double[x.Length];
        for (int i = 0; i < x.Length; i++) a[i] = x[i];
        int offset = 0;
        foreach (var layer in _layers)
        {
            switch (layer)
            {
                case Conv k:
                {
                    int oh = (h + 2 * k.Padding - k.KernelHeight) / k.Stride + 1, ow = (w + 2 * k.Padding - k.KernelWidth) / k.Stride + 1;
                    var y = new double[k.Filters * oh * ow];
                    int biases = offset + k.Filters * c * k.KernelHeight * k.KernelWidth;
                    for (int o = 0; o < k.Filters; o++)
                        for (int i = 0; i < oh; i++)
                            for (int j = 0; j < ow; j++)
                            {
                                double s = k.Bias ? p[biases + o] : 0;
                                for (int ch = 0; ch < c; ch++)
                                    for (int u = 0; u < k.KernelHeight; u++)
                                        for (int v = 0; v < k.KernelWidth; v++)
                                        {
                                            int yy = i * k.Stride + u - k.Padding, xx = j * k.Stride + v - k.Padding;
                                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue; // zero padding
                                            s += p[offset + ((o * c + ch) * k.KernelHeight + u) * k.KernelWidth + v] * a[(ch * h + yy) * w + xx];
                                        }
                                y[(o * oh + i) * ow + j] = Activate(s, k.Activation);
                            }
                    offset = biases + (k.Bias ? k.Filters : 0);
                    (a, c, h, w) = (y, k.Filters, oh, ow);
                    break;
                }
                case Pool q:
                {
                    int oh = (h - q.Size) / q.Stride + 1, ow = (w - q.Size) / q.Stride + 1;
                    var y = new double[c * oh * ow];
                    for (int ch = 0; ch < c; ch++)
                        for (int i = 0; i < oh; i++)
                            for (int j = 0; j < ow; j++)
                            {
                                double best = double.NegativeInfinity, sum = 0;
                                for (int u = 0; u < q.Size; u++)
                                    for (int v = 0; v < q.Size; v++)
                                    {
                                        double value = a[(ch * h + i * q.Stride + u) * w + j * q.Stride + v];
                                        best = Math.Max(best, value);
                                        sum += value;
                                    }
                                y[(ch * oh + i) * ow + j] = q.Max ? best : sum / (q.Size * q.Size);
                            }
                    (a, h, w) = (y, oh, ow);
                    break;
                }
                case Dense d:
                {
                    int fanIn = a.Length;
                    var z = new double[d.Units];
                    for (int o = 0; o < d.Units; o++)
                    {
                        double s = p[offset + fanIn * d.Units + o];
                        for (int i = 0; i < fanIn; i++) s += a[i] * p[offset + i * d.Units + o];
                        z[o] = s;
                    }
                    offset += fanIn * d.Units + d.Units;
                    if (d.Activation == Activation.Softmax)
                    {
                        double max = double.NegativeInfinity, total = 0;
                        foreach (var v in z) max = Math.Max(max, v);
                        a = new double[z.Length];
                        for (int k = 0; k < z.Length; k++) { a[k] = Math.Exp(z[k] - max); total += a[k]; }
                        for (int k = 0; k < z.Length; k++) a[k] /= total;
                    }
                    else
                    {
                        a = new double[z.Length];
                        for (int k = 0; k < z.Length; k++) a[k] = Activate(z[k], d.Activation);
                    }
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

    public double Loss(double[] p, ReadOnlySpan<float> x, ReadOnlySpan<float> t)
    {
        var a = Forward(p, x);
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
