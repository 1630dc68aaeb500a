using System;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    // 1×6×6 → Conv2D 4×3×3 pad 1 ReLU → 4×6×6 → MaxPool 2 → 4×3×3 → Conv2D 3×2×2 Tanh → 3×2×2 → 3 Softmax
    [Network(Channels = 1, Height = 6, Width = 6, BatchSize = 8)]
    [Conv2D(4, Kernel = 3, Padding = 1, Activation = Activation.ReLU)]
    [MaxPool(2)]
    [Conv2D(3, Kernel = 2, Activation = Activation.Tanh, Init = WeightInit.Glorot)]
    [Dense(3, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
    public partial class HealthConvNet { }
}

namespace CompiledNet.Tests.Generated
{
    /// <summary>The training health monitor on the convolutions of a convolutional network.</summary>
    public class ConvHealthTests
    {
        private const int Rows = 8;

        private static HealthReport OneStep(ICompiledNetwork net, float[] x, int[] labels)
        {
            var monitor = new HealthMonitor(net, new HealthOptions { Every = 1 });
            monitor.BeforeStep();
            net.TrainBatch(x, labels);
            monitor.AfterStep(labels.Length);
            return monitor.EndWindow(1);
        }

        private static FeatureLayerDescription Conv(ICompiledNetwork net, int number) => ((IConvolutional)net).FeatureLayers[number - 1];

        /// <summary>Filter <paramref name="filter"/> of a convolution: its weights [in, kH, kW] set to <paramref name="weight"/>, its bias to <paramref name="bias"/>.</summary>
        private static void SetFilter(ICompiledNetwork net, FeatureLayerDescription d, int filter, float weight, float bias)
        {
            int perFilter = d.InputChannels * d.KernelHeight * d.KernelWidth;
            net.Parameters.Slice(d.WeightOffset!.Value + filter * perFilter, perFilter).Fill(weight);
            net.Parameters[d.BiasOffset!.Value + filter] = bias;
        }

        /// <summary>The channels of the first convolution (3×3, padding 1, stride 1) whose pre-activation is ≤ 0 at every position of every row: a direct sum over the zero-padded image.</summary>
        private static int[] DeadChannelsByDefinition(float[] p, FeatureLayerDescription d, float[] x, int rows)
        {
            int h = d.InputHeight, w = d.InputWidth, k = d.KernelHeight;
            return Enumerable.Range(0, d.OutputChannels).Where(o =>
            {
                for (int r = 0; r < rows; r++)
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < w; j++)
                        {
                            double z = p[d.BiasOffset!.Value + o];
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++)
                                {
                                    int y = i + u - d.PadHeight, xx = j + v - d.PadWidth;
                                    if (y >= 0 && y < h && xx >= 0 && xx < w)
                                        z += (double)p[d.WeightOffset!.Value + (o * k + u) * k + v] * x[r * h * w + y * w + xx];
                                }
                            if (z > 0) return false;
                        }
                return true;
            }).ToArray();
        }

        [Fact]
        public void AFilterWithVeryNegativeWeightsAndBiasIsReportedAsADeadChannel()
        {
            ICompiledNetwork net = new HealthConvNet(1);
            var d = Conv(net, 1);
            SetFilter(net, d, filter: 2, weight: -1f, bias: -100f);   // |Σ w·x| ≤ 9 for inputs in [−1, 1): z ≤ −91 everywhere
            var (x, labels) = RandomBatch.Of(Rows, net.InputSize, net.OutputSize, 5);
            var before = net.Parameters.ToArray();
            var conv = OneStep(net, x, labels).FeatureLayers[0];
            Assert.True(conv.IsConvolution);
            Assert.Equal(1, conv.Layer);
            Assert.Equal(new[] { 2 }, DeadChannelsByDefinition(before, d, x, Rows));
            Assert.Equal(new[] { 2 }, conv.DeadUnits);
            Assert.Equal(0.25, conv.DeadUnitShare);
            // Channel 2's 36 positions of every row are 0, the others' mostly not.
            Assert.InRange(conv.ZeroShare!.Value, 0.25, 0.95);
        }

        [Fact]
        public void AHealthyConvolutionHasNoDeadChannel()
        {
            ICompiledNetwork net = new HealthConvNet(1);
            var (x, labels) = RandomBatch.Of(Rows, net.InputSize, net.OutputSize, 5);
            var before = net.Parameters.ToArray();
            var report = OneStep(net, x, labels);
            var conv = report.FeatureLayers[0];
            Assert.Empty(DeadChannelsByDefinition(before, Conv(net, 1), x, Rows));
            Assert.Equal(0.0, conv.DeadUnitShare);
            Assert.Empty(conv.DeadUnits!);
            Assert.InRange(conv.ZeroShare!.Value, 0.05, 0.95);
            Assert.Empty(report.Warnings);
        }

        [Fact]
        public void EveryChannelDeadWarnsAndNamesTheChannels()
        {
            ICompiledNetwork net = new HealthConvNet(1);
            var d = Conv(net, 1);
            for (int o = 0; o < d.OutputChannels; o++) SetFilter(net, d, o, -1f, -100f);
            var (x, labels) = RandomBatch.Of(Rows, net.InputSize, net.OutputSize, 5);
            var report = OneStep(net, x, labels);
            Assert.Equal(1.0, report.FeatureLayers[0].DeadUnitShare);
            Assert.Equal(1.0, report.FeatureLayers[0].ZeroShare);
            var warning = Assert.Single(report.Warnings, w => w.IsConvolution);
            Assert.Equal(1, warning.Layer);
            Assert.Contains("Conv2D 1 (1×6×6 → 4×6×6 ReLU)", warning.Problem);
            Assert.Contains("100% of its channels (0, 1, 2, 3", warning.Problem);
            Assert.DoesNotContain("BatchNorm", warning.Remedies);   // the monitor does not suggest batch norm for a convolution (it could now)
        }

        [Fact]
        public void HugeTanhFiltersSaturateAndPoolingLayersHaveNoEntry()
        {
            ICompiledNetwork net = new HealthConvNet(1);
            var d = Conv(net, 3);
            for (int o = 0; o < d.OutputChannels; o++) SetFilter(net, d, o, o % 2 == 0 ? 50f : -50f, 0f);
            var (x, labels) = RandomBatch.Of(Rows, net.InputSize, net.OutputSize, 5);
            var report = OneStep(net, x, labels);
            // Conv2D 1, MaxPool 2, Conv2D 3: two entries, numbered as in FeatureLayers.
            Assert.Equal(new[] { 1, 3 }, report.FeatureLayers.Select(l => l.Layer));
            var tanh = report.FeatureLayers[1];
            Assert.Equal(Activation.Tanh, tanh.Activation);
            Assert.Null(tanh.DeadUnitShare);
            // The pooled ReLU outputs are ≥ 0 and not all 0, so every z = ±50·Σ x is far from 0 unless the window is all 0.
            Assert.InRange(tanh.SaturatedShare!.Value, 0.9, 1.0);
            Assert.Contains(report.Warnings, w => w.IsConvolution && w.Layer == 3 && w.Problem.StartsWith("Conv2D 3 (4×3×3 → 3×2×2 Tanh)", StringComparison.Ordinal));
            Assert.Null(report.FeatureLayers[0].SaturatedShare);
        }

        [Fact]
        public void ConvolutionNormsEqualTheBuffers()
        {
            ICompiledNetwork net = new HealthConvNet(4);
            var (x, labels) = RandomBatch.Of(5, net.InputSize, net.OutputSize, 7);
            var before = net.Parameters.ToArray();
            var report = OneStep(net, x, labels);
            Assert.Equal(2, report.FeatureLayers.Count);
            foreach (var layer in report.FeatureLayers)
            {
                var d = Conv(net, layer.Layer);
                int n = d.WeightCount, wo = d.WeightOffset!.Value, bo = d.BiasOffset!.Value;
                double g = 0, b = 0, w = 0, change = 0, size = 0;
                for (int i = 0; i < n; i++)
                {
                    g += Math.Pow(net.Gradients[wo + i], 2);
                    w += Math.Pow(net.Parameters[wo + i], 2);
                    change += Math.Pow(net.Parameters[wo + i] - before[wo + i], 2);
                    size += Math.Pow(before[wo + i], 2);
                }
                for (int i = 0; i < d.OutputChannels; i++) b += Math.Pow(net.Gradients[bo + i], 2);
                Assert.True(g > 0 && b > 0);
                Assert.Equal(Math.Sqrt(g), layer.WeightGradientNorm, 9);
                Assert.Equal(Math.Sqrt(b), layer.BiasGradientNorm, 9);
                Assert.Equal(Math.Sqrt(w), layer.WeightNorm, 9);
                Assert.Equal(Math.Sqrt(change / size), layer.UpdateToWeightRatio, 9);
            }
        }

        [Fact]
        public void TheTrainerReportsConvolutionsAndWritesThemAsCsvRows()
        {
            var (features, labels) = RandomBatch.Of(40, HealthConvNet.InputSize, HealthConvNet.OutputSize, 3);
            var data = new Dataset(features, HealthConvNet.InputSize, labels, HealthConvNet.OutputSize);
            var result = Trainer.Train(new HealthConvNet(2), data, new TrainingOptions { Epochs = 2, Seed = 1, Health = new HealthOptions { Every = 1 } });
            Assert.All(result.Epochs, r => Assert.Equal(2, r.Health!.FeatureLayers.Count));
            Assert.All(result.Epochs, r => Assert.Single(r.Health!.Layers));
            string path = Path.Combine(Path.GetTempPath(), $"conv-health-{Guid.NewGuid():N}.csv");
            try
            {
                result.WriteHealthCsv(path);
                var lines = File.ReadAllLines(path);
                Assert.Equal(1 + 2 * 3, lines.Length);
                Assert.Contains("\"Conv2D 1 (1×6×6 → 4×6×6 ReLU)\"", lines[1]);
                Assert.EndsWith(",Conv2D", lines[1]);
                Assert.EndsWith(",Conv2D", lines[2]);
                Assert.EndsWith(",Dense", lines[3]);
            }
            finally { File.Delete(path); }
        }
    }
}
