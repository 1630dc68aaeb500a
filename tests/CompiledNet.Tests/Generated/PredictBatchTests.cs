using System;
using System.Collections.Generic;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    // Odd widths: every tail of the kernels (vectors of 8, chunks, scalar leftovers) and every activation.
    [Network(Input = 9, BatchSize = 5)]
    [Dense(257, Activation.ReLU)]
    [Dense(33, Activation.Tanh, BatchNorm = true)]
    [Dense(17, Activation.Sigmoid)]
    [Dense(7, Activation.Maxout, Pieces = 3)]
    [Dense(3, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Momentum, LearningRate = 0.01f)]
    public partial class OddSizesNet { }

    [Network(Input = 1, BatchSize = 1)]
    [Dense(1, Activation.Linear)]
    [Loss(LossKind.Quadratic)]
    public partial class OneByOneNet { }
}

namespace CompiledNet.Tests.Generated
{
    /// <summary>
    /// PredictBatch gives what Predict gives on each row: the same bits below PredictPackMinRows rows (the row-blocked
    /// kernels, chunks of 32 rows), within float rounding from there on (the dense layers through Gemm on packed
    /// weights, which fuses every multiply-add where Predict's last units mod 8 columns multiply and add separately).
    /// </summary>
    public class PredictBatchTests
    {
        public static IEnumerable<object[]> Networks()
        {
            yield return new object[] { "spiral", (Func<ITrainable>)(() => new SpiralNet(1)) };
            yield return new object[] { "odd sizes, every activation", (Func<ITrainable>)(() => new OddSizesNet(2)) };
            yield return new object[] { "batch norm", (Func<ITrainable>)(() => new BatchNormNet(3)) };
            yield return new object[] { "batch norm on the output", (Func<ITrainable>)(() => new BatchNormOutputNet(4)) };
            yield return new object[] { "dropout, DropConnect", (Func<ITrainable>)(() => new DropoutNet(5)) };
            yield return new object[] { "maxout", (Func<ITrainable>)(() => new MaxoutNet(6)) };
            yield return new object[] { "no bias", (Func<ITrainable>)(() => new NoBiasNet(7)) };
            yield return new object[] { "log-loss", (Func<ITrainable>)(() => new LogLossNet(8)) };
            yield return new object[] { "1 → 1 linear", (Func<ITrainable>)(() => new OneByOneNet(9)) };
        }

        private static void Train(ITrainable net, Random rng)
        {
            // A few steps so batch-norm statistics and parameters are away from their initial values.
            var xs = new float[net.BatchSize * net.InputSize];
            var targets = new float[net.BatchSize * net.OutputSize];
            for (int step = 0; step < 5; step++)
            {
                for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
                for (int j = 0; j < net.BatchSize; j++)
                {
                    if (net.OutputSize == 1) targets[j] = rng.Next(2);
                    else
                    {
                        targets.AsSpan(j * net.OutputSize, net.OutputSize).Clear();
                        targets[j * net.OutputSize + rng.Next(net.OutputSize)] = 1;
                    }
                }
                net.TrainBatch(xs, targets);
            }
        }

        /// <summary>PredictBatch of each row count in <paramref name="rowCounts"/> on fresh random inputs, with Predict's output for every row.</summary>
        private static IEnumerable<(int Rows, int Row, float[] Predicted, float[] Batch)> Compare(ITrainable net, Random rng, int[] rowCounts)
        {
            foreach (int rows in rowCounts)
            {
                var inputs = new float[rows * net.InputSize];
                for (int j = 0; j < inputs.Length; j++) inputs[j] = (float)(rng.NextDouble() * 4 - 2);
                var batch = new float[rows * net.OutputSize];
                net.PredictBatch(inputs, batch);
                for (int r = 0; r < rows; r++)
                {
                    var one = new float[net.OutputSize];
                    net.Predict(inputs.AsSpan(r * net.InputSize, net.InputSize), one);
                    yield return (rows, r, one, batch.AsSpan(r * net.OutputSize, net.OutputSize).ToArray());
                }
            }
        }

        [Theory]
        [MemberData(nameof(Networks))]
        public void BelowThePackingThresholdEveryRowEqualsPredictBitForBit(string name, Func<ITrainable> create)
        {
            var net = create();
            var rng = new Random(name.Length);
            Train(net, rng);
            foreach (var (rows, r, one, batch) in Compare(net, rng, new[] { 1, 3, 4, 5, 31, 32, 33, SpiralNet.PredictPackMinRows - 1 }))
                for (int k = 0; k < one.Length; k++)
                    Assert.True(BitConverter.SingleToInt32Bits(one[k]) == BitConverter.SingleToInt32Bits(batch[k]),
                        $"{name}, {rows} rows: row {r} output {k}: Predict {one[k]:R}, PredictBatch {batch[k]:R}");
        }

        [Theory]
        [MemberData(nameof(Networks))]
        public void WithPackedWeightsEveryRowEqualsPredictWithin1e5(string name, Func<ITrainable> create)
        {
            var net = create();
            var rng = new Random(name.Length);
            Train(net, rng);
            foreach (var (rows, r, one, batch) in Compare(net, rng, new[] { SpiralNet.PredictPackMinRows, 64, 67, 70, 97, 200 }))
                for (int k = 0; k < one.Length; k++)
                {
                    double difference = Math.Abs(one[k] - batch[k]) / Math.Max(1e-3, Math.Abs(one[k]));
                    Assert.True(difference <= 1e-5, $"{name}, {rows} rows: row {r} output {k}: Predict {one[k]:R}, PredictBatch {batch[k]:R}");
                }
        }

        [Fact]
        public void PackedWeightsFollowAChangeOfTheParameters()
        {
            var net = new SpiralNet(3);
            var inputs = new float[64 * SpiralNet.InputSize];
            for (int j = 0; j < inputs.Length; j++) inputs[j] = (j % 11 - 5) * 0.2f;
            var before = new float[64 * SpiralNet.OutputSize];
            net.PredictBatch(inputs, before);
            var parameters = net.Parameters;
            for (int j = 0; j < parameters.Length; j++) parameters[j] *= -0.5f;
            var after = new float[64 * SpiralNet.OutputSize];
            net.PredictBatch(inputs, after);
            var one = new float[SpiralNet.OutputSize];
            net.Predict(inputs.AsSpan(0, SpiralNet.InputSize), one);
            Assert.NotEqual(before[0], after[0]);
            for (int k = 0; k < one.Length; k++) Assert.True(Math.Abs(one[k] - after[k]) <= 1e-5 * Math.Max(1e-3, Math.Abs(one[k])), $"output {k}: Predict {one[k]:R}, PredictBatch {after[k]:R}");
        }

        [Fact]
        public void AnEmptyBatchIsFineAndWrongSizesNameBothLengths()
        {
            var net = new SpiralNet(1);
            net.PredictBatch(ReadOnlySpan<float>.Empty, Span<float>.Empty);
            var inputs = new float[2 * SpiralNet.InputSize + 1];
            var e = Assert.Throws<ArgumentException>(() => net.PredictBatch(inputs, new float[2 * SpiralNet.OutputSize]));
            Assert.Equal("inputs", e.ParamName);
            Assert.Contains($"{inputs.Length}", e.Message);
            e = Assert.Throws<ArgumentException>(() => net.PredictBatch(new float[3 * SpiralNet.InputSize], new float[2 * SpiralNet.OutputSize]));
            Assert.Equal("outputs", e.ParamName);
            Assert.Contains($"expected {3 * SpiralNet.OutputSize}", e.Message);
        }

        [Fact]
        public void AllocatesNothingAfterTheFirstCallOnAThread()
        {
            var net = new OddSizesNet(1);
            var inputs = new float[70 * OddSizesNet.InputSize];
            for (int j = 0; j < inputs.Length; j++) inputs[j] = j % 13 * 0.1f - 0.6f;
            var outputs = new float[70 * OddSizesNet.OutputSize];
            Assert.Equal(0, Allocations.Of(() => net.PredictBatch(inputs, outputs)));
            Assert.All(outputs, v => Assert.True(float.IsFinite(v)));
        }

        [Fact]
        public void TheInterfaceDefaultMatchesTheGeneratedPath()
        {
            var net = new OddSizesNet(4);
            var inputs = new float[6 * OddSizesNet.InputSize];
            for (int j = 0; j < inputs.Length; j++) inputs[j] = (j % 7 - 3) * 0.25f;
            var generated = new float[6 * OddSizesNet.OutputSize];
            var fallback = new float[6 * OddSizesNet.OutputSize];
            net.PredictBatch(inputs, generated);
            new RowByRow(net).AsNetwork().PredictBatch(inputs, fallback);
            Assert.Equal(fallback, generated);
        }

        /// <summary>An INetwork that only has Predict, so PredictBatch is the interface's default.</summary>
        private sealed class RowByRow : INetwork
        {
            private readonly INetwork _inner;
            public RowByRow(INetwork inner) => _inner = inner;
            public INetwork AsNetwork() => this;
            public int InputSize => _inner.InputSize;
            public int OutputSize => _inner.OutputSize;
            public void Predict(ReadOnlySpan<float> x, Span<float> y) => _inner.Predict(x, y);
            public int Classify(ReadOnlySpan<float> x) => _inner.Classify(x);
            public float Loss(ReadOnlySpan<float> x, int label) => _inner.Loss(x, label);
            public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target) => _inner.Loss(x, target);
        }
    }
}
