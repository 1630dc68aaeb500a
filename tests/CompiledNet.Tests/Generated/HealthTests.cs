using System;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    [Network(Input = 4, BatchSize = 8)]
    [Dense(6, Activation.Sigmoid)]
    [Dense(2, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
    public partial class HealthSigmoidNet { }

    [Network(Input = 4, BatchSize = 8)]
    [Dense(5, Activation.ReLU)]
    [Dense(7, Activation.Tanh)]
    [Dense(3, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
    public partial class HealthReluNet { }
}

namespace CompiledNet.Tests.Generated
{
    public class HealthTests
    {
        private static (float[] X, int[] Labels) Batch(int rows, int inputs, int classes, int seed) => RandomBatch.Of(rows, inputs, classes, seed);

        private static HealthReport OneStep(ICompiledNetwork net, int rows = 8, int seed = 1, HealthOptions? options = null)
        {
            var monitor = new HealthMonitor(net, options ?? new HealthOptions { Every = 1 });
            var (x, labels) = Batch(rows, net.InputSize, net.OutputSize, seed);
            monitor.BeforeStep();
            net.TrainBatch(x, labels);
            monitor.AfterStep(rows);
            return monitor.EndWindow(1);
        }

        private static void SetWeights(ICompiledNetwork net, int layer, Func<int, float> value)
        {
            var d = net.Layers[layer - 1];
            var p = net.Parameters.Slice(d.WeightOffset, d.Inputs * d.Width);
            for (int i = 0; i < p.Length; i++) p[i] = value(i);
        }

        [Fact]
        public void HugeSigmoidWeightsSaturateAlmostEverythingAndTinyOnesNothing()
        {
            var huge = new HealthSigmoidNet(1);
            SetWeights(huge, 1, i => i % 2 == 0 ? 60f : -60f);
            var report = OneStep(huge);
            var layer = report.Layers[0];
            Assert.InRange(layer.SaturatedShare!.Value, 0.95, 1.0);
            Assert.InRange(layer.MeanAbsPreActivation!.Value, 5, 17);
            var warning = Assert.Single(report.Warnings);
            Assert.Equal(1, warning.Layer);
            Assert.Contains("layer 1 (Dense 4 → 6 Sigmoid)", warning.Problem);
            Assert.Contains("batch normalisation", warning.Remedies);
            Assert.Contains("ReLU", warning.Remedies);

            var tiny = new HealthSigmoidNet(1);
            SetWeights(tiny, 1, i => i % 2 == 0 ? 1e-3f : -1e-3f);
            var calm = OneStep(tiny).Layers[0];
            Assert.Equal(0.0, calm.SaturatedShare);
            Assert.InRange(calm.MeanAbsPreActivation!.Value, 0, 0.01);
            Assert.Null(calm.DeadUnitShare);
        }

        [Fact]
        public void ALargeNegativeBiasKillsEveryReluUnit()
        {
            ICompiledNetwork net = new HealthReluNet(2);
            var d = net.Layers[0];
            net.Parameters.Slice(d.BiasOffset!.Value, d.Units).Fill(-100f);
            var report = OneStep(net);
            Assert.Equal(1.0, report.Layers[0].DeadUnitShare);
            Assert.Equal(1.0, report.Layers[0].ZeroShare);
            var warning = Assert.Single(report.Warnings);
            Assert.Contains("100% of its units were 0", warning.Problem);
            Assert.Contains("lower learning rate", warning.Remedies);

            var healthy = OneStep(new HealthReluNet(2), seed: 3).Layers[0];
            Assert.True(healthy.DeadUnitShare < 1.0);
            Assert.InRange(healthy.ZeroShare!.Value, 0.05, 0.95);
        }

        [Fact]
        public void GradientWeightAndUpdateNormsEqualTheBuffers()
        {
            ICompiledNetwork net = new HealthReluNet(4);
            var before = net.Parameters.ToArray();
            var report = OneStep(net, rows: 5);
            Assert.Equal(1, report.Samples);
            foreach (var layer in report.Layers)
            {
                var d = net.Layers[layer.Layer - 1];
                int n = d.Inputs * d.Width;
                double g = 0, b = 0, w = 0, change = 0, size = 0;
                for (int i = 0; i < n; i++)
                {
                    g += Math.Pow(net.Gradients[d.WeightOffset + i], 2);
                    w += Math.Pow(net.Parameters[d.WeightOffset + i], 2);
                    change += Math.Pow(net.Parameters[d.WeightOffset + i] - before[d.WeightOffset + i], 2);
                    size += Math.Pow(before[d.WeightOffset + i], 2);
                }
                for (int i = 0; i < d.Width; i++) b += Math.Pow(net.Gradients[d.BiasOffset!.Value + i], 2);
                Assert.Equal(Math.Sqrt(g), layer.WeightGradientNorm, 9);
                Assert.Equal(Math.Sqrt(b), layer.BiasGradientNorm, 9);
                Assert.Equal(Math.Sqrt(w), layer.WeightNorm, 9);
                Assert.Equal(Math.Sqrt(change / size), layer.UpdateToWeightRatio, 9);
                Assert.True(layer.WeightGradientNorm > 0);
            }
        }

        [Fact]
        public void BatchNormDriftIsTheBatchStatisticsAgainstTheRunningOnes()
        {
            // Fresh network: running mean 0 and variance 1, so the drift is the batch's own mean and variance of z = x·W.
            ICompiledNetwork net = new BatchNormNet(5);
            var (x, labels) = Batch(6, BatchNormNet.InputSize, BatchNormNet.OutputSize, 9);
            var d = net.Layers[0];
            var w = net.Parameters.Slice(d.WeightOffset, d.Inputs * d.Width).ToArray();
            double expectedShift = 0, expectedRatio = 0;
            for (int u = 0; u < d.Units; u++)
            {
                var z = Enumerable.Range(0, 6).Select(r => Enumerable.Range(0, d.Inputs).Sum(i => (double)x[r * d.Inputs + i] * w[i * d.Width + u])).ToArray();
                double mean = z.Average(), variance = z.Select(v => (v - mean) * (v - mean)).Average();
                expectedShift += Math.Abs(mean) / Math.Sqrt(1 + 1e-5);
                expectedRatio += variance / (1 + 1e-5);
            }
            var monitor = new HealthMonitor(net, new HealthOptions { Every = 1 });
            monitor.BeforeStep();
            net.TrainBatch(x, labels);
            monitor.AfterStep(6);
            var layer = monitor.EndWindow(1).Layers[0];
            Assert.Equal(expectedShift / d.Units, layer.BatchMeanShift!.Value, 3);
            Assert.Equal(expectedRatio / d.Units, layer.BatchVarianceRatio!.Value, 3);
        }

        [Fact]
        public void MaxoutPieceSharesCoverEveryActivation()
        {
            ICompiledNetwork net = new MaxoutNet(6);
            var report = OneStep(net, rows: MaxoutNet.BatchSize);
            var maxouts = report.Layers.Where(l => l.Activation == Activation.Maxout).ToList();
            Assert.Equal(2, maxouts.Count);
            foreach (var maxout in maxouts)
            {
                Assert.Equal(net.Layers[maxout.Layer - 1].Pieces, maxout.PieceWinShares!.Count);
                Assert.Equal(1.0, maxout.PieceWinShares.Sum(), 9);
                Assert.All(maxout.PieceWinShares, s => Assert.InRange(s, 0.0, 1.0));
                Assert.Null(maxout.SaturatedShare);
            }
        }

        [Fact]
        public void TheTrainerReportsHealthEveryEpochAndWritesItAsCsv()
        {
            var rng = new Random(1);
            var features = new float[203 * 4];
            for (int i = 0; i < features.Length; i++) features[i] = (float)(rng.NextDouble() * 2 - 1);
            var labels = Enumerable.Range(0, 203).Select(i => i % 3).ToArray();
            var data = new Dataset(features, 4, labels, 3);
            var plain = new HealthReluNet(8);
            var watched = new HealthReluNet(8);
            var off = Trainer.Train(plain, data, new TrainingOptions { Epochs = 3, Seed = 2 });
            var on = Trainer.Train(watched, data, new TrainingOptions { Epochs = 3, Seed = 2, Health = new HealthOptions { Every = 10 } });
            Assert.All(off.Epochs, r => Assert.Null(r.Health));
            Assert.All(on.Epochs, r => Assert.NotNull(r.Health));
            Assert.Equal(new[] { 1, 2, 3 }, on.Epochs.Select(r => r.Health!.Epoch));
            Assert.All(on.Epochs, r => Assert.Equal(3, r.Health!.Samples));   // 26 steps per epoch, sampled at 0, 10, 20
            Assert.All(on.Epochs, r => Assert.Equal(3, r.Health!.Layers.Count));
            // The monitor only reads: training with it is bit for bit training without it.
            Assert.True(plain.Parameters.SequenceEqual(watched.Parameters));

            string path = Path.Combine(Path.GetTempPath(), $"health-{Guid.NewGuid():N}.csv");
            try
            {
                on.WriteHealthCsv(path);
                var lines = File.ReadAllLines(path);
                Assert.Equal(HealthReport.CsvHeader, lines[0]);
                Assert.Equal(1 + 3 * 3, lines.Length);
                Assert.StartsWith("1,", lines[1]);
                Assert.Throws<InvalidOperationException>(() => off.WriteHealthCsv(path));
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void MonitoringAllocatesNothingBetweenReports()
        {
            var net = new HealthReluNet(1);
            var monitor = new HealthMonitor(net, new HealthOptions { Every = 2 });
            var (x, labels) = Batch(8, 4, 3, 1);
            Assert.Equal(0, Allocations.Of(() =>
            {
                for (int i = 0; i < 10; i++)
                {
                    monitor.BeforeStep();
                    net.TrainBatch(x, labels);
                    monitor.AfterStep(8);
                }
            }));
        }

        [Fact]
        public void BadSettingsAreRejected()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new HealthMonitor(new HealthReluNet(1), new HealthOptions { Every = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new HealthMonitor(new HealthReluNet(1), new HealthOptions { SaturationLevel = 1.5 }));
        }
    }
}
