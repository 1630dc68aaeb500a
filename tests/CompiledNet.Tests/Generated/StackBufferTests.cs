using System;
using System.Linq;
using System.Threading;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// One-row inference of networks whose buffers exceed the stack budget (64 KiB a buffer): the outputs of
/// <see cref="WideOutputNet"/> and the maxout pieces of <see cref="WidePiecesNet"/> live in per-thread buffers, so
/// Predict, Classify and Loss run on a thread with a small stack, give the reference's values, allocate nothing
/// once a thread has its buffers, and give each thread its own.
/// </summary>
public class StackBufferTests
{
    /// <summary>A stack smaller than what the old stack buffers of these networks took (Loss of WideOutputNet: 352 KiB).</summary>
    private const int SmallStack = 256 * 1024;

    private static readonly float[] X = { 0.4f, -0.7f, 0.2f };

    private static void OnSmallStack(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { failure = e; }
        }, SmallStack);
        thread.Start();
        thread.Join();
        if (failure != null) throw new Xunit.Sdk.XunitException("on a thread with a 256 KiB stack: " + failure);
    }

    /// <summary>The independent double-precision forward of <see cref="WideOutputNet"/>: tanh layer, then linear logits.</summary>
    private static ReferenceNetwork WideOutputReference()
        => new(3, LossKind.Quadratic, (8, Activation.Tanh), (30000, Activation.Linear));

    /// <summary>
    /// The double-precision forward of <see cref="WidePiecesNet"/> from the documented layout (per layer: weights
    /// row-major [input][column], then biases; maxout unit u the largest of columns [3u, 3u + 3)).
    /// </summary>
    private static double[] WidePiecesReference(float[] p, float[] x)
    {
        const int units = 6000, pieces = 3, width = units * pieces;
        var hidden = new double[units];
        for (int u = 0; u < units; u++)
        {
            double best = double.NegativeInfinity;
            for (int k = 0; k < pieces; k++)
            {
                int column = u * pieces + k;
                double z = p[3 * width + column];
                for (int i = 0; i < 3; i++) z += x[i] * p[i * width + column];
                best = Math.Max(best, z);
            }
            hidden[u] = best;
        }
        int offset = 3 * width + width;
        var output = new double[2];
        for (int o = 0; o < 2; o++)
        {
            double z = p[offset + units * 2 + o];
            for (int i = 0; i < units; i++) z += hidden[i] * p[offset + i * 2 + o];
            output[o] = z;
        }
        return output;
    }

    private static void AssertClose(double expected, float actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    [Fact]
    public void PredictOfThirtyThousandOutputs_RunsOnASmallStack_AndMatchesTheReference()
    {
        var net = new WideOutputNet(3);
        var y = new float[WideOutputNet.OutputSize];
        OnSmallStack(() => net.Predict(X, y));
        var p = net.Parameters.ToArray().Select(v => (double)v).ToArray();
        var (expected, _) = WideOutputReference().Forward(p, X);
        for (int k = 0; k < y.Length; k++) AssertClose(expected[k], y[k], $"output {k}");
    }

    [Fact]
    public void ClassifyAndLossOfThirtyThousandOutputs_RunOnASmallStack_AndMatchTheReference()
    {
        var net = new WideOutputNet(4);
        int label = 12345, predicted = -1;
        float loss = float.NaN;
        OnSmallStack(() =>
        {
            predicted = net.Classify(X);
            loss = net.Loss(X, label);
        });
        var reference = WideOutputReference();
        var p = net.Parameters.ToArray().Select(v => (double)v).ToArray();
        var (outputs, _) = reference.Forward(p, X);
        Assert.Equal(Array.IndexOf(outputs, outputs.Max()), predicted);
        var target = new float[WideOutputNet.OutputSize];
        target[label] = 1f;
        AssertClose(reference.Loss(p, X, target), loss, "loss");
    }

    [Fact]
    public void PredictOfEighteenThousandMaxoutPieces_RunsOnASmallStack_AndMatchesTheReference()
    {
        var net = new WidePiecesNet(5);
        var y = new float[2];
        OnSmallStack(() => net.Predict(X, y));
        var expected = WidePiecesReference(net.Parameters.ToArray(), X);
        AssertClose(expected[0], y[0], "output 0");
        AssertClose(expected[1], y[1], "output 1");
    }

    [Fact]
    public void PredictWithPerThreadBuffers_AllocatesNothingAfterTheThreadsFirstCall()
    {
        var wide = new WideOutputNet(6);
        var pieces = new WidePiecesNet(7);
        var y = new float[WideOutputNet.OutputSize];
        var two = new float[2];
        wide.Predict(X, y);
        pieces.Predict(X, two);
        long before = GC.GetAllocatedBytesForCurrentThread();
        wide.Predict(X, y);
        wide.Classify(X);
        wide.Loss(X, 7);
        pieces.Predict(X, two);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ConcurrentPredictionsWithPerThreadBuffers_EachGiveTheOneThreadResult()
    {
        var net = new WideOutputNet(8);
        var inputs = Enumerable.Range(0, 8).Select(r => new[] { 0.1f * r, -0.05f * r, 0.3f - 0.07f * r }).ToArray();
        var expected = inputs.Select(x =>
        {
            var y = new float[WideOutputNet.OutputSize];
            net.Predict(x, y);
            return (Class: net.Classify(x), Loss: net.Loss(x, 3), Output: y);
        }).ToArray();
        var seen = new (int Class, float Loss, float[] Output)[inputs.Length];
        using var start = new Barrier(inputs.Length);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, inputs.Length).Select(r => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                var y = new float[WideOutputNet.OutputSize];
                for (int repeat = 0; repeat < 20; repeat++)
                {
                    net.Predict(inputs[r], y);
                    seen[r] = (net.Classify(inputs[r]), net.Loss(inputs[r], 3), y);
                }
            }
            catch (Exception e) { failures.Enqueue(e); }
        }, SmallStack)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        for (int r = 0; r < inputs.Length; r++)
        {
            Assert.Equal(expected[r].Class, seen[r].Class);
            Assert.Equal(expected[r].Loss, seen[r].Loss);
            Assert.Equal(expected[r].Output, seen[r].Output);
        }
    }
}
