using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    // Plain dense layers: a split step shares each hidden layer's inputs (weight rows) among the threads. 201 and 130
    // inputs are not multiples of the 4-input blocks (the last part takes the rest); 37 units end in a scalar tail; the
    // first hidden layer has no biases.
    [Network(Input = 201, BatchSize = 32)]
    [Dense(130, Activation.ReLU, Bias = false)]
    [Dense(37, Activation.Sigmoid)]
    [Dense(3, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f, Momentum = 0.9f)]
    public partial class InputSplitNet { }

    // Over 65,536 parameters (the step is shared too, by the same ranges of weight rows), Adam with L2, tanh and linear.
    [Network(Input = 300, BatchSize = 48)]
    [Dense(257, Activation.Tanh)]
    [Dense(130, Activation.Linear)]
    [Dense(4, Activation.Sigmoid)]
    [Loss(LossKind.LogLoss)]
    [Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
    [Regularization(L2 = 1e-4f)]
    public partial class InputSplitAdamNet { }

    // Batch norm and dropout (on the inputs too): the calling thread runs them over the whole batch between the parts'
    // phases, drawing the masks in a one-thread step's order. Batch norm with dropout, dropout alone (with biases) and
    // batch norm alone, one hidden layer each.
    [Network(Input = 201, BatchSize = 32, InputDropout = 0.1f)]
    [Dense(130, Activation.ReLU, Init = WeightInit.He, BatchNorm = true, Dropout = 0.2f)]
    [Dense(64, Activation.Tanh, Dropout = 0.3f)]
    [Dense(40, Activation.Sigmoid, BatchNorm = true)]
    [Dense(3, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
    public partial class InputSplitBatchNormNet { }
}

namespace CompiledNet.Tests.Generated
{
    /// <summary>
    /// A step split by the hidden layers' inputs: the loss and gradients of one thread up to the rounding of the sums cut
    /// into one piece per part, the same bits on every run with a given thread count, and no allocation once warmed up.
    /// </summary>
    [Collection(WorkerPoolCollection.Name)]
    public class InputSplitTests
    {
        private static float[] Targets(int rows, int outputs, int seed)
        {
            var t = new float[rows * outputs];
            for (int i = 0; i < t.Length; i++) t[i] = (i * 7 + seed) % 3 == 0 ? 1f : 0f;
            return t;
        }

        [Fact]
        public void BothNetworksSplitLargeEnoughBatches()
        {
            Assert.True(InputSplitNet.SplitMinRows <= 17, $"SplitMinRows {InputSplitNet.SplitMinRows}");
            Assert.True(InputSplitAdamNet.SplitMinRows <= 8, $"SplitMinRows {InputSplitAdamNet.SplitMinRows}");
            Assert.True(InputSplitAdamNet.ParameterCount >= 65536);
            Assert.IsAssignableFrom<CompilerServices.IParallelStep>(new InputSplitNet(1));
            // The input split's own members, which a step split by rows does not have.
            foreach (var type in new[] { typeof(InputSplitNet), typeof(InputSplitAdamNet), typeof(InputSplitBatchNormNet) })
                Assert.True(type.GetField("InputParts", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static) is not null, $"{type.Name} does not split by inputs");
        }

        private static int MaskWidth(int layer) => layer switch { 0 => InputSplitBatchNormNet.InputSize, 1 => 130, _ => 64 };

        [Theory]
        [InlineData(2, 32)]
        [InlineData(3, 17)]
        public void BatchNormAndDropoutSplitByInputsDrawTheOneThreadMasks(int threads, int rows)
        {
            var one = new InputSplitBatchNormNet(7) { TrainingThreads = 1 };
            var many = new InputSplitBatchNormNet(7) { TrainingThreads = threads };
            for (int step = 0; step < 3; step++)
            {
                var (x, labels) = RandomBatch.Of(rows, InputSplitBatchNormNet.InputSize, 3, 50 + step);
                one.TrainBatch(x, labels);
                many.TrainBatch(x, labels);
                foreach (int layer in new[] { 0, 1, 2 })
                    Assert.True(one.DropoutMask(layer).Slice(0, rows * MaskWidth(layer)).SequenceEqual(many.DropoutMask(layer).Slice(0, rows * MaskWidth(layer))),
                        $"step {step}: dropout mask of layer {layer} differs on {threads} threads");
            }
        }

        [Theory]
        [InlineData(2, 32)]
        [InlineData(3, 17)]
        [InlineData(5, 29)]
        public void BatchNormAndDropoutSplitByInputsChangeOnlyTheRounding(int threads, int rows)
        {
            var one = new InputSplitBatchNormNet(5) { TrainingThreads = 1 };
            var many = new InputSplitBatchNormNet(5) { TrainingThreads = threads };
            var (x, labels) = RandomBatch.Of(rows, InputSplitBatchNormNet.InputSize, 3, rows);
            Assert.Equal(one.ComputeGradients(x, labels), many.ComputeGradients(x, labels), 1e-5f);
            SplitChecks.GradientsDifferOnlyInRounding(one, many, $"batch norm and dropout, {threads} threads, {rows} rows");
            // The running statistics come from the summed products: equal up to the rounding of the sums' pieces.
            var s1 = one.BatchNormStatistics.ToArray();
            var sn = many.BatchNormStatistics.ToArray();
            Assert.Equal(s1.Length, sn.Length);
            for (int i = 0; i < s1.Length; i++)
                Assert.True(Math.Abs(s1[i] - sn[i]) <= 1e-5f * Math.Max(1f, Math.Abs(s1[i])), $"running statistic {i}: {s1[i]} on one thread, {sn[i]} on {threads}");
        }

        [Fact]
        public void BatchNormAndDropoutSplitByInputsGiveTheSameBitsOnEveryRunAndLearnLikeOneThread()
            => SplitChecks.SameBitsOnEveryRunAndLearnsLikeOneThread(() => new InputSplitBatchNormNet(9), s => RandomBatch.Of(32, InputSplitBatchNormNet.InputSize, 3, 300 + s));

        [Theory]
        [InlineData(2, 32)]
        [InlineData(3, 17)]
        [InlineData(5, 32)]
        [InlineData(8, 29)]
        [InlineData(2, 7)]   // below SplitMinRows: one thread
        public void SplittingChangesOnlyTheRoundingOfTheGradient(int threads, int rows)
        {
            var one = new InputSplitNet(3) { TrainingThreads = 1 };
            var many = new InputSplitNet(3) { TrainingThreads = threads };
            var (x, labels) = RandomBatch.Of(rows, InputSplitNet.InputSize, 3, rows);
            Assert.Equal(one.ComputeGradients(x, labels), many.ComputeGradients(x, labels), 1e-5f);
            SplitChecks.GradientsDifferOnlyInRounding(one, many, $"{threads} threads, {rows} rows");

            var oneAdam = new InputSplitAdamNet(4) { TrainingThreads = 1 };
            var manyAdam = new InputSplitAdamNet(4) { TrainingThreads = threads };
            var (xa, _) = RandomBatch.Of(rows, InputSplitAdamNet.InputSize, 4, rows + 1);
            var ta = Targets(rows, 4, rows);
            Assert.Equal(oneAdam.ComputeGradients(xa, ta), manyAdam.ComputeGradients(xa, ta), 1e-5f);
            SplitChecks.GradientsDifferOnlyInRounding(oneAdam, manyAdam, $"Adam network, {threads} threads, {rows} rows");
        }

        [Fact]
        public void AFixedThreadCountGivesTheSameBitsOnEveryRunAndLearnsLikeOneThread()
            => SplitChecks.SameBitsOnEveryRunAndLearnsLikeOneThread(() => new InputSplitNet(9), s => RandomBatch.Of(32, InputSplitNet.InputSize, 3, 200 + s));

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        public void TheSharedStepOfASplitByInputsNetworkIsTheOneThreadStep(int threads)
        {
            var one = new InputSplitAdamNet(2) { TrainingThreads = 1 };
            var many = new InputSplitAdamNet(2) { TrainingThreads = threads };
            var rng = new Random(threads);
            for (int step = 0; step < 3; step++)
            {
                for (int i = 0; i < InputSplitAdamNet.ParameterCount; i++) one.Gradients[i] = many.Gradients[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
                one.ApplyGradients();
                many.ApplyGradients();
            }
            Assert.True(one.Parameters.SequenceEqual(many.Parameters), "parameters differ after the shared step");
            Assert.True(one.OptimizerState.SequenceEqual(many.OptimizerState), "Adam's moments differ after the shared step");
        }

        [Fact]
        public void SplitStepsAllocateNothingAfterWarmUp()
        {
            var net = new InputSplitAdamNet(1) { TrainingThreads = 3 };
            var (x, _) = RandomBatch.Of(48, InputSplitAdamNet.InputSize, 4, 1);
            var t = Targets(48, 4, 1);
            net.TrainBatch(x, t);
            Assert.Equal(0, Allocations.Of(() =>
            {
                for (int i = 0; i < 10; i++) net.TrainBatch(x, t);
            }));
            var norm = new InputSplitBatchNormNet(1) { TrainingThreads = 2 };
            var (xb, labels) = RandomBatch.Of(32, InputSplitBatchNormNet.InputSize, 3, 1);
            norm.TrainBatch(xb, labels);
            Assert.Equal(0, Allocations.Of(() =>
            {
                for (int i = 0; i < 10; i++) norm.TrainBatch(xb, labels);
            }));
        }
    }
}
