using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace CompiledNet.Bench;

/// <summary>
/// <c>--conv-quick</c>: network D on the first 6,400 training images, CompiledNet and TorchSharp alternating in one
/// process (1 and 2 threads, median of 5 after a warm-up), and CompiledNet's step split into its parts. Stopwatch
/// only, about two minutes: a developer's check of the convolution kernels, not a result for the tables.
/// </summary>
internal static class ConvQuick
{
    public static void Run()
    {
        Parts();
        TrainingParts();
        var train = BenchData.Train;
        foreach (int threads in new[] { 1, 2 })
        {
            var compiled = CompiledNetEpoch.Create("D", threads, out var trained);
            using var torch = new TorchPeer("D", threads, train);
            compiled();
            torch.Epoch();
            var ours = new List<double>();
            var theirs = new List<double>();
            for (int r = 0; r < 5; r++)
            {
                var watch = Stopwatch.StartNew();
                compiled();
                ours.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                torch.Epoch();
                theirs.Add(watch.Elapsed.TotalMilliseconds);
            }
            double a = Median(ours), b = Median(theirs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"D, {threads} thread(s), {train.Count} images: CompiledNet {a:F0} ms, TorchSharp {b:F0} ms, ratio {b / a:F2}×"));
        }
        var net = new NetD(1) { TrainingThreads = 1 };
        var x = train.AllFeatures.Slice(0, 64 * 784).ToArray();
        var labels = train.Labels.Slice(0, 64).ToArray();
        var y = new float[64 * 10];
        for (int i = 0; i < 20; i++) net.TrainBatch(x, labels);
        double Time(Action action, int count)
        {
            action();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) action();
            return watch.Elapsed.TotalMilliseconds / count;
        }
        double gradients = Time(() => net.ComputeGradients(x, labels), 50);
        double step = Time(() => net.ApplyGradients(), 50);
        double forward = Time(() => net.PredictBatch(x, y), 50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"D step of 64 on 1 thread: gradients {gradients:F2} ms (forward and backward), PredictBatch of the same 64 rows {forward:F2} ms, optimizer step {step:F3} ms"));
    }

    private delegate void ConvImage(ref float p, ref float x, ref float y, ref float col);

    /// <summary>
    /// D's per-image inference stages (private generated methods, reached by reflection) timed alone, and a whole
    /// <c>Predict</c>: the first convolution with its pooling as one kernel (what <c>Predict</c> runs), and the second
    /// convolution's direct per-image product (training's forward; <c>Predict</c> runs it and its pooling through
    /// Winograd's F(2×2, 3×3), which the whole-Predict figure includes).
    /// </summary>
    public static void Parts()
    {
        var net = new NetD(1);
        var flags = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
        var p = net.Parameters.ToArray();
        var x = BenchData.Train.AllFeatures.Slice(0, 784).ToArray();
        var pooled = new float[32 * 196]; var a3 = new float[64 * 196];
        var scratch = new float[1 << 16]; // the unfolded input planes or columns of one image (well under 64K floats)
        var pooledConv1 = Stage<ConvImage>("ImagePooled_F1", flags);
        var conv2 = Stage<ConvImage>("Image_F3", flags);
        var output = new float[NetD.OutputSize];
        double c1 = BestMicroseconds(500, () => pooledConv1(ref p[0], ref x[0], ref pooled[0], ref scratch[0]));
        double c2 = BestMicroseconds(500, () => conv2(ref p[0], ref pooled[0], ref a3[0], ref scratch[0]));
        double whole = BestMicroseconds(500, () => net.Predict(x, output));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"D per image (best of 5 × 500): conv1 with its pooling {c1:F1} µs ({2.0 * 32 * 9 * 784 / c1 / 1e3:F1} GFLOP/s), conv2 direct {c2:F1} µs ({2.0 * 64 * 288 * 196 / c2 / 1e3:F1} GFLOP/s), the whole Predict {whole:F1} µs"));
    }

    /// <summary>A generated per-image method of NetD by name, with a message that names it when the generator has renamed it.</summary>
    private static T Stage<T>(string name, System.Reflection.BindingFlags flags) where T : Delegate
        => (typeof(NetD).GetMethod(name, flags) ?? throw new InvalidOperationException($"NetD has no generated method {name}: the generator's per-image kernels were renamed; update ConvQuick.Parts.")).CreateDelegate<T>();

    private delegate void TrainingForward(NetD net, ref float x, int start, int count);
    private delegate void TrainingBackward(NetD net, ref float x, int start, int count, ref float g);

    /// <summary>D's training forward and backward of each feature layer over a batch of 64, timed alone (after a real step filled the buffers).</summary>
    public static void TrainingParts()
    {
        var net = new NetD(1) { TrainingThreads = 1 };
        var flags = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var x = BenchData.Train.AllFeatures.Slice(0, 64 * 784).ToArray();
        var labels = BenchData.Train.Labels.Slice(0, 64).ToArray();
        for (int i = 0; i < 5; i++) net.TrainBatch(x, labels);
        var g = new float[net.Parameters.Length];
        // The network's own 64-byte-aligned buffers (AlignedBuffer), and the batch in one, as a step runs them.
        CompiledNet.CompilerServices.AlignedBuffer Field(string name) => (CompiledNet.CompilerServices.AlignedBuffer)typeof(NetD).GetField(name, flags)!.GetValue(net)!;
        var batch = CompiledNet.CompilerServices.AlignedBuffer.Allocate(x.Length);
        x.CopyTo(batch.Span);
        var inputs = new[] { batch, Field("_fa1"), Field("_fa2"), Field("_fa3") };
        var line = new System.Text.StringBuilder("D training parts, batch of 64 (best of 5 × 20):");
        for (int l = 1; l <= 4; l++)
        {
            var forward = typeof(NetD).GetMethod("Forward_F" + l, flags)!.CreateDelegate<TrainingForward>();
            var input = inputs[l - 1];
            double f = BestMicroseconds(20, () => forward(net, ref input.Data, 0, 64));
            line.Append(string.Create(CultureInfo.InvariantCulture, $" F{l} forward {f / 1000:F2} ms"));
            if (typeof(NetD).GetMethod("Backward_F" + l, flags) is { } method)
            {
                var backward = method.CreateDelegate<TrainingBackward>();
                double b = BestMicroseconds(20, () => backward(net, ref input.Data, 0, 64, ref g[0]));
                line.Append(string.Create(CultureInfo.InvariantCulture, $", backward {b / 1000:F2} ms;"));
            }
        }
        Console.WriteLine(line.ToString());
    }

    /// <summary>The best of 5 timings of <paramref name="count"/> calls, per call in µs, after as many warm-up calls.</summary>
    private static double BestMicroseconds(int count, Action action)
    {
        for (int i = 0; i < count; i++) action();
        var best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) action();
            best = Math.Min(best, watch.Elapsed.TotalMicroseconds / count);
        }
        return best;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
