using System;
using CompiledNet.Tests.Networks;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Networks
{
    // Enough work per batch (≈ 270 kFLOP per row) that batches of 8 rows and more are split across threads.
    [Network(Input = 64, BatchSize = 64)]
    [Dense(256, Activation.ReLU, Init = WeightInit.He)]
    [Dense(129, Activation.Tanh)]
    [Dense(10, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
    public partial class SplitNet { }

    [Network(Input = 64, BatchSize = 32)]
    [Dense(200, Activation.Maxout, Pieces = 2)]
    [Dense(3, Activation.Sigmoid)]
    [Loss(LossKind.LogLoss)]
    [Optimizer(OptimizerKind.Momentum, LearningRate = 0.01f)]
    public partial class SplitMaxoutNet { }

    // Over 65,536 parameters: the optimizer step is shared among the threads too.
    [Network(Input = 256, BatchSize = 32)]
    [Dense(257, Activation.ReLU)]
    [Dense(10, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
    [Regularization(L1 = 1e-4f, L2 = 1e-3f)]
    public partial class ParallelAdamNet { }

    [Network(Input = 256, BatchSize = 32)]
    [Dense(257, Activation.Sigmoid)]
    [Dense(10, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Nesterov, LearningRate = 0.05f, Momentum = 0.8f)]
    [Regularization(WeightDecay = 1e-3f)]
    public partial class ParallelNesterovNet { }
}

namespace CompiledNet.Tests.Generated
{
    [Collection(WorkerPoolCollection.Name)]
    public class ThreadedTrainingTests
    {
        private static (float[] X, int[] Labels) Batch(int rows, int inputs, int classes, int seed) => RandomBatch.Of(rows, inputs, classes, seed);

        private static float[] Train(ITrainable net, int threads, int steps, int rows, int classes)
        {
            net.TrainingThreads = threads;
            var losses = new float[steps];
            for (int s = 0; s < steps; s++)
            {
                var (x, labels) = Batch(rows, net.InputSize, classes, 100 + s);
                losses[s] = net.TrainBatch(x, labels);
            }
            return losses;
        }

        [Fact]
        public void TheNetworksOfThisTestReallySplitAndTheOthersSayWhyNot()
        {
            Assert.True(SplitNet.SplitMinRows <= 8);
            Assert.IsAssignableFrom<IParallelStep>(new SplitNet(1));
            Assert.IsAssignableFrom<IParallelStep>(new SplitMaxoutNet(1));
            var batchNorm = new BatchNormNet(1);
            Assert.IsNotAssignableFrom<IParallelStep>(batchNorm);
            batchNorm.TrainingThreads = 4;
            Assert.Equal(1, batchNorm.TrainingThreads);
            Assert.Equal(WorkerPool.DefaultThreads, new SplitNet(1).TrainingThreads);
            Assert.Throws<ArgumentOutOfRangeException>(() => new SplitNet(1).TrainingThreads = 0);
            Assert.Throws<ArgumentOutOfRangeException>(() => new SplitNet(1).TrainingThreads = WorkerPool.MaxThreads + 1);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(5)]
        public void AFixedThreadCountGivesTheSameBitsOnEveryRun(int threads)
        {
            var a = new SplitNet(7);
            var b = new SplitNet(7);
            var lossA = Train(a, threads, 12, 61, 10);
            var lossB = Train(b, threads, 12, 61, 10);
            Assert.Equal(lossA, lossB);
            Assert.True(a.Parameters.SequenceEqual(b.Parameters), "parameters differ between two runs with the same thread count");
        }

        [Theory]
        [InlineData(2, 64)]
        [InlineData(2, 9)]
        [InlineData(3, 33)]
        [InlineData(4, 63)]
        [InlineData(2, 7)]   // below SplitMinRows: one thread
        public void SplittingChangesOnlyTheRoundingOfTheGradient(int threads, int rows)
        {
            var one = new SplitNet(3) { TrainingThreads = 1 };
            var many = new SplitNet(3) { TrainingThreads = threads };
            var (x, labels) = Batch(rows, SplitNet.InputSize, 10, rows);
            float l1 = one.ComputeGradients(x, labels);
            float ln = many.ComputeGradients(x, labels);
            Assert.Equal(l1, ln, 1e-5f);
            SplitChecks.GradientsDifferOnlyInRounding(one, many, $"{threads} threads, {rows} rows");
        }

        [Fact]
        public void MaxoutAndLogLossSplitToo()
        {
            var one = new SplitMaxoutNet(4) { TrainingThreads = 1 };
            var two = new SplitMaxoutNet(4) { TrainingThreads = 2 };
            var rng = new Random(2);
            var x = new float[29 * SplitMaxoutNet.InputSize];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            var targets = new float[29 * 3];
            for (int i = 0; i < targets.Length; i++) targets[i] = rng.Next(2);
            Assert.Equal(one.ComputeGradients(x, targets), two.ComputeGradients(x, targets), 1e-5f);
            for (int i = 0; i < one.Gradients.Length; i++) Assert.Equal(one.Gradients[i], two.Gradients[i], 1e-6f);
        }

        [Fact]
        public void ThreadedTrainingLearnsLikeOneThread()
        {
            var one = new SplitNet(5);
            var two = new SplitNet(5);
            var l1 = Train(one, 1, 30, 64, 10);
            var l2 = Train(two, 2, 30, 64, 10);
            for (int s = 0; s < l1.Length; s++) Assert.Equal(l1[s], l2[s], 1e-3f);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(7)]
        public void TheSharedOptimizerStepGivesExactlyTheOneThreadStep(int threads)
        {
            foreach (var (one, many) in new (ITrainable, ITrainable)[] { (new ParallelAdamNet(1), new ParallelAdamNet(1)), (new ParallelNesterovNet(2), new ParallelNesterovNet(2)) })
            {
                Assert.True(one.ParameterCount >= 65536);
                one.TrainingThreads = 1;
                many.TrainingThreads = threads;
                var rng = new Random(threads);
                for (int step = 0; step < 4; step++)
                {
                    // The same gradient in both (odd values, both signs), so only the step itself is compared.
                    for (int i = 0; i < one.ParameterCount; i++) one.Gradients[i] = many.Gradients[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
                    one.ApplyGradients();
                    many.ApplyGradients();
                }
                Assert.Equal(4, many.Step);
                Assert.True(one.Parameters.SequenceEqual(many.Parameters), $"{one.GetType().Name}: parameters differ after the shared step");
                Assert.True(one.OptimizerState.SequenceEqual(many.OptimizerState), $"{one.GetType().Name}: optimizer state differs after the shared step");
            }
        }

        [Fact]
        public void ThreadedStepsAllocateNothingAfterWarmUp()
        {
            var net = new SplitNet(1) { TrainingThreads = 2 };
            var (x, labels) = Batch(64, SplitNet.InputSize, 10, 1);
            Assert.Equal(0, Allocations.Of(() =>
            {
                for (int i = 0; i < 20; i++) net.TrainBatch(x, labels);
            }));
            var big = new ParallelAdamNet(1) { TrainingThreads = 2 };
            var (bx, blabels) = Batch(32, ParallelAdamNet.InputSize, 10, 2);
            Assert.Equal(0, Allocations.Of(() =>
            {
                for (int i = 0; i < 20; i++) big.TrainBatch(bx, blabels);
            }));
        }
    }
}
