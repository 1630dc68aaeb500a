using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Networks
{
    // Batch norm on two hidden layers (one with dropout, one with DropConnect) and enough work per row to split batches of 8.
    [Network(Input = 64, BatchSize = 64)]
    [Dense(256, Activation.ReLU, Init = WeightInit.He, BatchNorm = true, Dropout = 0.2f)]
    [Dense(129, Activation.Tanh, BatchNorm = true, DropConnect = 0.1f)]
    [Dense(10, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
    public partial class SplitBatchNormNet { }

    // Batch norm on the output layer too (linear outputs, quadratic loss).
    [Network(Input = 64, BatchSize = 32)]
    [Dense(300, Activation.Sigmoid, BatchNorm = true)]
    [Dense(7, Activation.Linear, BatchNorm = true)]
    [Loss(LossKind.Quadratic)]
    [Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
    public partial class SplitBatchNormOutputNet { }
}

namespace CompiledNet.Tests.Generated
{
    /// <summary>
    /// Batch-normalised networks split their batches: the parts run the passes segment by segment, and between
    /// segments the calling thread normalises (and sums the batch-norm gradients) over the whole batch.
    /// </summary>
    [Collection(WorkerPoolCollection.Name)]
    public class ThreadedBatchNormTests
    {
        private static (float[] X, int[] Labels) Batch(int rows, int seed) => RandomBatch.Of(rows, SplitBatchNormNet.InputSize, 10, seed);

        [Fact]
        public void BatchNormalisedNetworksSplitTheirBatches()
        {
            Assert.IsAssignableFrom<IParallelStep>(new SplitBatchNormNet(1));
            Assert.IsAssignableFrom<IParallelStep>(new SplitBatchNormOutputNet(1));
            Assert.Equal(8, SplitBatchNormNet.SplitMinRows);
            Assert.Equal(WorkerPool.DefaultThreads, new SplitBatchNormNet(1).TrainingThreads);
        }

        [Theory]
        [InlineData(2, 64)]
        [InlineData(3, 61)]
        [InlineData(5, 63)]
        [InlineData(2, 9)]
        public void TheBatchStatisticsAreTheOneThreadBitsAndTheGradientDiffersOnlyInRounding(int threads, int rows)
        {
            var one = new SplitBatchNormNet(3) { TrainingThreads = 1 };
            var many = new SplitBatchNormNet(3) { TrainingThreads = threads };
            var (x, labels) = Batch(rows, rows);
            float l1 = one.ComputeGradients(x, labels);
            float ln = many.ComputeGradients(x, labels);
            Assert.Equal(l1, ln, 1e-5f);
            // The forward pass is row by row apart from batch norm, which runs over the whole batch on one thread in
            // both: the running statistics it updates are the same bits.
            Assert.True(one.BatchNormStatistics.SequenceEqual(many.BatchNormStatistics), $"running statistics differ on {threads} threads");
            SplitChecks.GradientsDifferOnlyInRounding(one, many, $"{threads} threads, {rows} rows");
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void BatchNormOnTheOutputSplitsToo(int threads)
        {
            var one = new SplitBatchNormOutputNet(5) { TrainingThreads = 1 };
            var many = new SplitBatchNormOutputNet(5) { TrainingThreads = threads };
            var rng = new Random(threads);
            var x = new float[30 * SplitBatchNormOutputNet.InputSize];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            var targets = new float[30 * SplitBatchNormOutputNet.OutputSize];
            for (int i = 0; i < targets.Length; i++) targets[i] = (float)rng.NextDouble();
            Assert.Equal(one.ComputeGradients(x, targets), many.ComputeGradients(x, targets), 1e-5f);
            Assert.True(one.BatchNormStatistics.SequenceEqual(many.BatchNormStatistics));
            SplitChecks.GradientsDifferOnlyInRounding(one, many, $"batch norm on the output, {threads} threads");
        }

        [Fact]
        public void AFixedThreadCountGivesTheSameBitsOnEveryRunAndLearnsLikeOneThread()
            => SplitChecks.SameBitsOnEveryRunAndLearnsLikeOneThread(() => new SplitBatchNormNet(9), s => Batch(64, 100 + s));

        [Fact]
        public void TwoRunsOnTwoThreadsKeepTheSameRunningStatistics()
        {
            float[] Statistics()
            {
                var net = new SplitBatchNormNet(9) { TrainingThreads = 2 };
                for (int s = 0; s < 10; s++)
                {
                    var (x, labels) = Batch(64, 100 + s);
                    net.TrainBatch(x, labels);
                }
                return net.BatchNormStatistics.ToArray();
            }
            Assert.Equal(Statistics(), Statistics());
        }

        [Fact]
        public void SplitStepsAllocateNothingAfterWarmUp()
        {
            var net = new SplitBatchNormNet(1) { TrainingThreads = 2 };
            var (x, labels) = Batch(64, 1);
            Assert.Equal(0, Allocations.Of(() => { for (int i = 0; i < 10; i++) net.TrainBatch(x, labels); }));
        }
    }
}
