using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CompiledNet.CompilerServices;
using Xunit;

namespace CompiledNet.Tests.Generated;

[Network(Input = 50, BatchSize = 12)]
[Dense(40, Activation.ReLU, BatchNorm = true)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
public partial class AlignmentProbeNet { }

/// <summary>
/// A network's float buffers start on a 64-byte line (CompilerServices.AlignedBuffer), so that no 512-bit load or store
/// of a row straddles two cache lines; the arrays keep the length asked for, start zeroed and stay where they are.
/// </summary>
public class AlignmentTests
{
    /// <summary>How many bytes into a 64-byte line the span starts (the arrays are pinned: their address stays).</summary>
    private static long Offset(ReadOnlySpan<float> span)
        => (long)Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(span)) % AlignedBuffer.Alignment;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(101_770)]
    [InlineData(1_000_003)]
    public void ABufferHasTheLengthAskedForStartsZeroedAndOnALine(int length)
    {
        for (int i = 0; i < 20; i++)
        {
            var buffer = AlignedBuffer.Allocate(length);
            Assert.Equal(length, buffer.Length);
            Assert.Equal(length, buffer.Span.Length);
            if (length == 0) continue;
            Assert.Equal(0, Offset(buffer.Span));
            Assert.True(Unsafe.AreSame(ref buffer.Data, ref buffer.Span[0]));
            foreach (float value in buffer.Span) Assert.Equal(0f, value);
            buffer[length - 1] = 1f;
            Assert.Equal(1f, buffer.Span[length - 1]);
            Assert.Equal(1f, buffer.Slice(length - 1, 1)[0]);
        }
    }

    [Fact]
    public void IndexesOutsideTheBufferAndANegativeLengthAreRefused()
    {
        var buffer = AlignedBuffer.Allocate(20);
        Assert.Throws<IndexOutOfRangeException>(() => buffer[20]);
        Assert.Throws<IndexOutOfRangeException>(() => buffer[-1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(10, 11));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AlignedBuffer.Allocate(-1));
        Assert.Equal("length", e.ParamName);
        Assert.Equal(-1, e.ActualValue);
    }

    [Fact]
    public void EveryFloatBufferOfAGeneratedNetworkStartsOnALineAndStaysThere()
    {
        var net = new AlignmentProbeNet(1) { TrainingThreads = 1 };
        for (int pass = 0; pass < 2; pass++)
        {
            Assert.Equal(0, Offset(net.Parameters));
            Assert.Equal(0, Offset(net.Gradients));
            Assert.Equal(0, Offset(net.OptimizerState));
            Assert.Equal(0, Offset(net.BatchNormStatistics));
            int buffers = 0;
            foreach (var field in typeof(AlignmentProbeNet).GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
            {
                Assert.False(field.FieldType == typeof(float[]) && field.Name is not ("_partLoss" or "_partCheck"), $"{field.Name} is a plain array");
                if (field.GetValue(net) is AlignedBuffer buffer && buffer.Length > 0)
                {
                    Assert.True(Offset(buffer.Span) == 0, $"{field.Name} starts {Offset(buffer.Span)} bytes into a line");
                    buffers++;
                }
            }
            Assert.True(buffers >= 8, $"only {buffers} buffers found"); // parameters, gradients, Adam's state, statistics, activations, deltas, x̂…
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true); // pinned: nothing moves
        }
    }

    [Fact]
    public void TrainingOnAlignedBuffersLearns()
    {
        var rng = new Random(3);
        var x = new float[12 * 50];
        var labels = new int[12];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        for (int i = 0; i < labels.Length; i++) { labels[i] = i % 3; x[i * 50 + labels[i]] += 2f; }
        var net = new AlignmentProbeNet(1) { TrainingThreads = 1 };
        float first = net.TrainBatch(x, labels), last = first;
        for (int step = 0; step < 200; step++) last = net.TrainBatch(x, labels);
        Assert.True(last < first / 4, $"loss {first} → {last}");
    }
}
