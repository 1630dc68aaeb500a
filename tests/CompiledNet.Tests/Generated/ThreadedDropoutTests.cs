using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Networks
{
    // Input dropout, hidden dropout and DropConnect, with enough work per row (≈ 270 kFLOP) to split batches of 8 rows.
    [Network(Input = 64, BatchSize = 64, InputDropout = 0.1f)]
    [Dense(256, Activation.ReLU, Init = WeightInit.He, Dropout = 0.3f)]
    [Dense(129, Activation.Tanh, DropConnect = 0.2f, Dropout = 0.5f)]
    [Dense(10, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Momentum, LearningRate = 0.01f)]
    public partial class SplitDropoutNet { }
}

namespace CompiledNet.Tests.Generated
{
    /// <summary>
    /// Dropout and DropConnect networks split their batches too: the step draws every mask for the whole batch first,
    /// in the order a one-thread step draws them, so the masks are the same for every thread count.
    /// </summary>
    [Collection(WorkerPoolCollection.Name)]
    public class ThreadedDropoutTests
    {
        private static (float[] X, int[] Labels) Batch(int rows, int seed) => RandomBatch.Of(rows, SplitDropoutNet.InputSize, 10, seed);

        [Fact]
        public void ADropoutNetworkSplitsItsBatches()
        {
            Assert.IsAssignableFrom<IParallelStep>(new SplitDropoutNet(1));
            Assert.Equal(8, SplitDropoutNet.SplitMinRows);
            Assert.Equal(WorkerPool.DefaultThreads, new SplitDropoutNet(1).TrainingThreads);
        }

        [Theory]
        [InlineData(2, 64)]
        [InlineData(3, 61)]
        [InlineData(4, 9)]
        public void EveryThreadCountDrawsTheMasksOfOneThread(int threads, int rows)
        {
            var one = new SplitDropoutNet(11) { TrainingThreads = 1 };
            var many = new SplitDropoutNet(11) { TrainingThreads = threads };
            for (int step = 0; step < 3; step++)
            {
                var (x, labels) = Batch(rows, step);
                one.TrainBatch(x, labels);
                many.TrainBatch(x, labels);
                foreach (int layer in new[] { 0, 1, 2 })
                    Assert.True(one.DropoutMask(layer).Slice(0, rows * MaskWidth(layer)).SequenceEqual(many.DropoutMask(layer).Slice(0, rows * MaskWidth(layer))),
                        $"step {step}: dropout mask of layer {layer} differs on {threads} threads");
                Assert.True(one.DropConnectMask(2).SequenceEqual(many.DropConnectMask(2)), $"step {step}: DropConnect mask differs on {threads} threads");
            }
        }

        private static int MaskWidth(int layer) => layer switch { 0 => SplitDropoutNet.InputSize, 1 => 256, _ => 129 };

        [Theory]
        [InlineData(2, 64)]
        [InlineData(3, 33)]
        [InlineData(5, 63)]
        public void SplittingChangesOnlyTheRoundingOfTheGradient(int threads, int rows)
        {
            var one = new SplitDropoutNet(3) { TrainingThreads = 1 };
            var many = new SplitDropoutNet(3) { TrainingThreads = threads };
            var (x, labels) = Batch(rows, rows);
            float l1 = one.ComputeGradients(x, labels);
            float ln = many.ComputeGradients(x, labels);
            Assert.Equal(l1, ln, 1e-5f);
            SplitChecks.GradientsDifferOnlyInRounding(one, many, $"{threads} threads, {rows} rows");
        }

        [Fact]
        public void ReusedMasksStayReusedWhenSplit()
        {
            var net = new SplitDropoutNet(4) { TrainingThreads = 2 };
            var (x, labels) = Batch(64, 1);
            net.ComputeGradients(x, labels);
            var input = net.DropoutMask(0).ToArray();
            var hidden = net.DropoutMask(1).ToArray();
            var weights = net.DropConnectMask(2).ToArray();
            var first = net.Gradients.ToArray();
            net.ReuseMasks = true;
            net.ComputeGradients(x, labels);
            Assert.Equal(input, net.DropoutMask(0).ToArray());
            Assert.Equal(hidden, net.DropoutMask(1).ToArray());
            Assert.Equal(weights, net.DropConnectMask(2).ToArray());
            Assert.Equal(first, net.Gradients.ToArray());   // same masks, same parameters, same split: the same bits
        }

        [Fact]
        public void AFixedThreadCountGivesTheSameBitsOnEveryRunAndLearnsLikeOneThread()
            => SplitChecks.SameBitsOnEveryRunAndLearnsLikeOneThread(() => new SplitDropoutNet(9), s => Batch(64, 100 + s));

        [Fact]
        public void SplitStepsAllocateNothingAfterWarmUp()
        {
            var net = new SplitDropoutNet(1) { TrainingThreads = 2 };
            var (x, labels) = Batch(64, 1);
            Assert.Equal(0, Allocations.Of(() => { for (int i = 0; i < 10; i++) net.TrainBatch(x, labels); }));
        }
    }
}
