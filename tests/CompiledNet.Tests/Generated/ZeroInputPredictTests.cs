using System;
using System.Collections.Generic;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    /// <summary>
    /// Sizes that give every part of the one-row inference kernel work at each vector width: 37 inputs (whole vectors of
    /// inputs, then a few), 70 and 33 units (whole vectors of columns, then narrower vectors and scalars), ReLU so that
    /// hidden activations are exactly zero.
    /// </summary>
    [Network(Input = 37, BatchSize = 4)]
    [Dense(70, Activation.ReLU)]
    [Dense(33, Activation.ReLU)]
    [Dense(5, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    public partial class ZeroInputNet { }
}

namespace CompiledNet.Tests.Generated
{
    using CompiledNet.Tests.Networks;

    /// <summary>
    /// Predict does not read the weight rows of inputs that are exactly zero (a blank background, the units ReLU switched
    /// off). Whatever the pattern of zeros, its outputs are the network's function: they match a double-precision
    /// reference, equal the batched kernels' bits, and a NaN input still reaches every output.
    /// </summary>
    public class ZeroInputPredictTests
    {
        private static readonly ReferenceNetwork Reference = new(37, LossKind.SoftmaxCrossEntropy,
            (70, Activation.ReLU), (33, Activation.ReLU), (5, Activation.Softmax));

        /// <summary>Input patterns: all zero, every other zero, the first whole vectors zero, no zero, one non-zero.</summary>
        public static IEnumerable<object[]> Patterns()
        {
            yield return new object[] { "all zero", (Func<int, bool>)(i => false) };
            yield return new object[] { "every other input zero", (Func<int, bool>)(i => i % 2 == 1) };
            yield return new object[] { "the first 32 zero", (Func<int, bool>)(i => i >= 32) };
            yield return new object[] { "the first 16 zero", (Func<int, bool>)(i => i >= 16) };
            yield return new object[] { "no zero", (Func<int, bool>)(i => true) };
            yield return new object[] { "only input 17 non-zero", (Func<int, bool>)(i => i == 17) };
            yield return new object[] { "every third input non-zero", (Func<int, bool>)(i => i % 3 == 0) };
        }

        private static ZeroInputNet Network(out double[] parameters)
        {
            var net = new ZeroInputNet(5);
            var rng = new Random(11);
            var p = net.Parameters;
            // Biases around zero and wide weights: many hidden units end at exactly zero after ReLU, others are large.
            for (int j = 0; j < p.Length; j++) p[j] = (float)(rng.NextDouble() * 1.6 - 0.8);
            parameters = new double[p.Length];
            for (int j = 0; j < p.Length; j++) parameters[j] = p[j];
            return net;
        }

        private static float[] Inputs(Func<int, bool> nonZero, int seed)
        {
            var rng = new Random(seed);
            var x = new float[ZeroInputNet.InputSize];
            for (int i = 0; i < x.Length; i++) x[i] = nonZero(i) ? (float)(rng.NextDouble() * 2 - 1) : 0f;
            return x;
        }

        [Theory]
        [MemberData(nameof(Patterns))]
        public void PredictMatchesTheDoublePrecisionReference(string pattern, Func<int, bool> nonZero)
        {
            var net = Network(out var parameters);
            for (int seed = 0; seed < 5; seed++)
            {
                var x = Inputs(nonZero, seed);
                var y = new float[ZeroInputNet.OutputSize];
                net.Predict(x, y);
                var (expected, _) = Reference.Forward(parameters, x);
                for (int k = 0; k < y.Length; k++)
                    Assert.True(Math.Abs(y[k] - expected[k]) <= 1e-5, $"{pattern}, seed {seed}: output {k} is {y[k]:R}, the reference gives {expected[k]:R}");
            }
        }

        [Theory]
        [MemberData(nameof(Patterns))]
        public void PredictGivesTheBitsOfTheBatchedKernels(string pattern, Func<int, bool> nonZero)
        {
            var net = Network(out _);
            int rows = 5;
            var inputs = new float[rows * ZeroInputNet.InputSize];
            for (int r = 0; r < rows; r++) Inputs(nonZero, r).CopyTo(inputs, r * ZeroInputNet.InputSize);
            var batch = new float[rows * ZeroInputNet.OutputSize];
            net.PredictBatch(inputs, batch);
            for (int r = 0; r < rows; r++)
            {
                var y = new float[ZeroInputNet.OutputSize];
                net.Predict(inputs.AsSpan(r * ZeroInputNet.InputSize, ZeroInputNet.InputSize), y);
                for (int k = 0; k < y.Length; k++)
                    Assert.True(BitConverter.SingleToInt32Bits(y[k]) == BitConverter.SingleToInt32Bits(batch[r * ZeroInputNet.OutputSize + k]),
                        $"{pattern}, row {r}, output {k}: Predict {y[k]:R}, PredictBatch {batch[r * ZeroInputNet.OutputSize + k]:R}");
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(20)]
        [InlineData(36)]
        public void ANaNInputAmongZerosReachesEveryOutput(int position)
        {
            var net = Network(out _);
            var x = new float[ZeroInputNet.InputSize];
            x[position] = float.NaN;
            var y = new float[ZeroInputNet.OutputSize];
            net.Predict(x, y);
            Assert.All(y, v => Assert.True(float.IsNaN(v), $"input {position} is NaN, the rest zero: an output is {v:R}"));
        }
    }
}
