using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    // Batch norm on a softmax output layer: the logits are normalised before the softmax.
    [Network(Input = 4, BatchSize = 8)]
    [Dense(6, Activation.Tanh)]
    [Dense(3, Activation.Softmax, BatchNorm = true)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    public partial class BatchNormSoftmaxOutputNet { }
}

namespace CompiledNet.Tests.Generated
{
    using L = BatchReference.Layer;

    /// <summary>
    /// Batch normalisation on the output layer is allowed (docs/diagnostics.md says why); its gradient, through γ, β
    /// and the batch statistics of the outputs, matches central differences of the double-precision reference.
    /// </summary>
    public class BatchNormOutputTests
    {
        private static void CheckGradient(ITrainable net, BatchReference reference, int count, int inputs, int outputs, bool oneHot, int seed)
        {
            Assert.Equal(net.ParameterCount, reference.ParameterCount);
            var rng = new Random(seed);
            var p = net.Parameters;
            for (int j = 0; j < p.Length; j++) p[j] = (float)(rng.NextDouble() * 1.2 - 0.6);
            var xs = new float[count * inputs];
            for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
            var ts = new float[count * outputs];
            for (int r = 0; r < count; r++)
            {
                if (oneHot) ts[r * outputs + rng.Next(outputs)] = 1f;
                else for (int k = 0; k < outputs; k++) ts[r * outputs + k] = (float)rng.NextDouble();
            }
            var pd = p.ToArray().Select(v => (double)v).ToArray();
            float loss = net.ComputeGradients(xs, ts);
            Assert.Equal(reference.MeanLoss(pd, xs, ts, count), loss, 1e-4);
            var expected = reference.NumericGradient(pd, xs, ts, count);
            double scale = Math.Max(1, expected.Max(Math.Abs));
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(net.Gradients[j] - expected[j]) <= 1e-3 * scale,
                    $"gradient[{j}] = {net.Gradients[j]}, central differences give {expected[j]}");
        }

        [Fact]
        public void LinearBatchNormOutputWithQuadraticLoss_MatchesCentralDifferences()
            => CheckGradient(new BatchNormOutputNet(1),
                new BatchReference(5, LossKind.Quadratic, new L(7, Activation.Linear, BatchNorm: true), new L(3, Activation.Linear, BatchNorm: true)),
                count: 16, inputs: 5, outputs: 3, oneHot: false, seed: 21);

        [Fact]
        public void BatchNormBeforeASoftmaxOutput_MatchesCentralDifferences()
            => CheckGradient(new BatchNormSoftmaxOutputNet(1),
                new BatchReference(4, LossKind.SoftmaxCrossEntropy, new L(6, Activation.Tanh), new L(3, Activation.Softmax, BatchNorm: true)),
                count: 8, inputs: 4, outputs: 3, oneHot: true, seed: 22);
    }
}
