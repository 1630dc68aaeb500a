using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// The training health monitor: saturation, dead units, maxout piece use, gradient and weight norms, update
    /// ratios and batch-norm drift per layer (per convolution too: dead units there are dead channels), from sampled training steps. Call <see cref="BeforeStep"/> and
    /// <see cref="AfterStep"/> around each step and <see cref="EndWindow"/> to collect a report (the
    /// <see cref="Trainer"/> does this once per epoch when <see cref="TrainingOptions.Health"/> is set). It reads what
    /// the generated training step leaves behind, so with the monitor off training runs exactly as without it; an
    /// unsampled step costs a counter increment, a sampled one a parameter copy and passes over activations and
    /// gradients. Allocation-free after construction except for the reports.
    /// </summary>
    public sealed class HealthMonitor
    {
        /// <summary>The running-average weight the generated batch norm keeps of the old statistics (0.9·old + 0.1·batch).</summary>
        private const float RunningKeep = 0.9f;
        private const double SigmoidZCap = 17, TanhZCap = 9;

        private readonly ICompiledNetwork _net;
        private readonly HealthOptions _options;
        private readonly IReadOnlyList<LayerDescription> _layers;
        private readonly float[] _before;
        private readonly float[] _statisticsBefore;
        private readonly Accumulator[] _acc;
        private readonly IConvolutional? _convolutional;
        private readonly (FeatureLayerDescription Layer, int Number)[] _convolutions;
        private readonly Accumulator[] _convAcc;
        private long _stepsInWindow;
        private bool _sampling;
        private int _samples;

        /// <summary>Monitors <paramref name="net"/> with <paramref name="options"/> (defaults when null).</summary>
        public HealthMonitor(ICompiledNetwork net, HealthOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(net);
            _options = options ?? new HealthOptions();
            _options.Validate();
            _net = net;
            _layers = net.Layers;
            _before = new float[net.ParameterCount];
            _statisticsBefore = new float[net.BatchNormStatistics.Length];
            _acc = new Accumulator[_layers.Count];
            for (int l = 0; l < _acc.Length; l++) _acc[l] = new Accumulator(_layers[l].Activation, _layers[l].Units, _layers[l].Pieces);
            // Pooling layers have neither parameters nor an activation: nothing to monitor.
            _convolutional = net as IConvolutional;
            _convolutions = _convolutional is null ? Array.Empty<(FeatureLayerDescription, int)>()
                : _convolutional.FeatureLayers.Select((f, i) => (f, i + 1)).Where(c => c.f.Kind == FeatureLayerKind.Conv2D).ToArray();
            _convAcc = _convolutions.Select(c => new Accumulator(c.Layer.Activation, c.Layer.OutputChannels, 1)).ToArray();
        }

        /// <summary>Call before each training step: decides whether this step is sampled and, if so, keeps the parameters it starts from.</summary>
        public void BeforeStep()
        {
            _sampling = _stepsInWindow % _options.Every == 0;
            if (!_sampling) return;
            _net.Parameters.CopyTo(_before);
            _net.BatchNormStatistics.CopyTo(_statisticsBefore);
        }

        /// <summary>Call after each training step with the number of examples it had.</summary>
        public void AfterStep(int count)
        {
            _stepsInWindow++;
            if (!_sampling) return;
            _sampling = false;
            if (count < 1 || count > _net.BatchSize) throw new ArgumentOutOfRangeException(nameof(count), count, $"A step has 1..{_net.BatchSize} examples.");
            _samples++;
            var parameters = _net.Parameters;
            var gradients = _net.Gradients;
            var statistics = _net.BatchNormStatistics;
            for (int c = 0; c < _convolutions.Length; c++)
            {
                var (layer, number) = _convolutions[c];
                var acc = _convAcc[c];
                var a = _convolutional!.TrainingFeatureActivations(number).Slice(0, count * layer.OutputSize);
                ActivationStatistics(acc, layer.Activation, a, layer.OutputChannels, layer.OutputHeight * layer.OutputWidth, ReadOnlySpan<int>.Empty);
                double biasSquares = layer.BiasOffset is int bias ? Squares(gradients.Slice(bias, layer.OutputChannels)) : 0;
                ParameterStatistics(acc, parameters, gradients, layer.WeightOffset!.Value, layer.WeightCount, biasSquares);
            }
            for (int l = 0; l < _layers.Count; l++)
            {
                var layer = _layers[l];
                var acc = _acc[l];
                var a = _net.TrainingActivations(l + 1).Slice(0, count * layer.Units);
                ActivationStatistics(acc, layer.Activation, a, layer.Units, 1,
                    layer.Activation == Activation.Maxout ? _net.TrainingMaxoutWinners(l + 1).Slice(0, count * layer.Units) : ReadOnlySpan<int>.Empty);
                double biasSquares = 0;
                if (layer.BiasOffset is int bias) biasSquares += Squares(gradients.Slice(bias, layer.Width));
                if (layer.GammaOffset is int gamma) biasSquares += Squares(gradients.Slice(gamma, layer.Units));
                if (layer.BetaOffset is int beta) biasSquares += Squares(gradients.Slice(beta, layer.Units));
                ParameterStatistics(acc, parameters, gradients, layer.WeightOffset, layer.Inputs * layer.Width, biasSquares);

                if (layer.BatchNorm && layer.StatisticsOffset is int statisticsOffset)
                {
                    // The step updated running = keep·old + (1 − keep)·batch (variance unbiased by s/(s − 1)); solve for the batch's.
                    double unbias = count > 1 ? (double)count / (count - 1) : 1;
                    double shift = 0, ratio = 0;
                    for (int u = 0; u < layer.Units; u++)
                    {
                        int m = statisticsOffset + u, v = m + layer.Units;
                        double oldMean = _statisticsBefore[m], oldVariance = _statisticsBefore[v];
                        double batchMean = (statistics[m] - RunningKeep * oldMean) / (1 - RunningKeep);
                        double batchVariance = (statistics[v] - RunningKeep * oldVariance) / (1 - RunningKeep) / unbias;
                        shift += Math.Abs(batchMean - oldMean) / Math.Sqrt(oldVariance + 1e-5);
                        ratio += batchVariance / (oldVariance + 1e-5);
                    }
                    acc.BatchMeanShift += shift / layer.Units;
                    acc.BatchVarianceRatio += ratio / layer.Units;
                }
            }
        }

        /// <summary>
        /// Statistics of the sampled steps since the last call (null entries where nothing was sampled), then starts a
        /// new window. <paramref name="epoch"/> numbers the window; <paramref name="window"/> names it in warnings
        /// ("… in epoch 3"; a custom loop might pass "the 100 steps up to step").
        /// </summary>
        public HealthReport EndWindow(int epoch, string window = "epoch")
        {
            var features = new List<LayerHealth>(_convolutions.Length);
            var layers = new List<LayerHealth>(_layers.Count);
            var warnings = new List<HealthWarning>();
            for (int c = 0; c < _convolutions.Length; c++)
            {
                var (layer, number) = _convolutions[c];
                string description = string.Create(CultureInfo.InvariantCulture,
                    $"Conv2D {number} ({layer.InputChannels}×{layer.InputHeight}×{layer.InputWidth} → {layer.OutputChannels}×{layer.OutputHeight}×{layer.OutputWidth} {layer.Activation})");
                features.Add(Summarise(_convAcc[c], number, description, layer.Activation, batchNorm: false, hidden: true, convolution: true, epoch, window, warnings));
            }
            for (int l = 0; l < _layers.Count; l++)
            {
                var layer = _layers[l];
                string description = $"layer {l + 1} (Dense {layer.Inputs} → {layer.Units} {layer.Activation}{(layer.BatchNorm ? ", batch norm" : "")})";
                layers.Add(Summarise(_acc[l], l + 1, description, layer.Activation, layer.BatchNorm, hidden: l < _layers.Count - 1, convolution: false, epoch, window, warnings));
            }
            var report = new HealthReport { Epoch = epoch, Step = _net.Step, Samples = _samples, FeatureLayers = features, Layers = layers, Warnings = warnings };
            _samples = 0;
            _stepsInWindow = 0;
            return report;
        }

        /// <summary>One layer's statistics of the window (its warnings added to <paramref name="warnings"/>), then clears its accumulator.</summary>
        private LayerHealth Summarise(Accumulator acc, int number, string description, Activation activation, bool batchNorm, bool hidden, bool convolution,
            int epoch, string window, List<HealthWarning> warnings)
        {
            double samples = Math.Max(1, _samples);
            bool any = _samples > 0 && acc.Values > 0;
            bool squashing = activation is Activation.Sigmoid or Activation.Tanh;
            double? saturated = squashing && any ? (double)acc.Saturated / acc.Values : null;
            double? meanAbsZ = squashing && any ? acc.SumAbsZ / acc.Values : null;
            double? dead = activation == Activation.ReLU && any ? (double)acc.Active.Count(x => !x) / acc.Active.Length : null;
            double? zeros = activation == Activation.ReLU && any ? (double)acc.Zeros / acc.Values : null;
            IReadOnlyList<double>? pieces = activation == Activation.Maxout && any
                ? acc.PieceWins.Select(w => (double)w / acc.Values).ToArray() : null;
            double Mean(double sum) => _samples > 0 ? sum / samples : double.NaN;   // NaN: no step was sampled in this window
            var health = new LayerHealth
            {
                Layer = number,
                IsConvolution = convolution,
                Description = description,
                Activation = activation,
                SaturatedShare = saturated,
                MeanAbsPreActivation = meanAbsZ,
                DeadUnitShare = dead,
                DeadUnits = dead is null ? null : Enumerable.Range(0, acc.Active.Length).Where(u => !acc.Active[u]).ToArray(),
                ZeroShare = zeros,
                PieceWinShares = pieces,
                WeightGradientNorm = Mean(acc.WeightGradientNorm),
                BiasGradientNorm = Mean(acc.BiasGradientNorm),
                WeightNorm = _samples > 0 ? acc.WeightNorm : double.NaN,
                UpdateToWeightRatio = Mean(acc.UpdateRatio),
                BatchMeanShift = batchNorm && any ? acc.BatchMeanShift / samples : null,
                BatchVarianceRatio = batchNorm && any ? acc.BatchVarianceRatio / samples : null,
            };

            if (saturated > _options.WarningShare)
                warnings.Add(new HealthWarning(number,
                    string.Create(CultureInfo.InvariantCulture, $"{description}: {saturated * 100:F0}% of its activations were saturated in {window} {epoch} (derivative below {_options.SaturationLevel * 100:0.#}% of its maximum; mean |z| {meanAbsZ:F2}), so little gradient flows through it."),
                    (hidden ? "ReLU units instead of " + activation : "log-loss instead of quadratic loss on a sigmoid output")
                    + ", careful initialisation (Glorot for sigmoid and tanh), input standardisation, " + (convolution ? "a lower learning rate" : "batch normalisation (BatchNorm = true), a lower learning rate"))
                { IsConvolution = convolution });
            if (dead > _options.WarningShare)
                warnings.Add(new HealthWarning(number,
                    convolution
                        ? string.Create(CultureInfo.InvariantCulture, $"{description}: {dead * 100:F0}% of its channels ({string.Join(", ", health.DeadUnits!)}, counted from 0) were 0 at every position of every example sampled in {window} {epoch} (dead ReLU channels pass no gradient and do not recover).")
                        : string.Create(CultureInfo.InvariantCulture, $"{description}: {dead * 100:F0}% of its units were 0 for every example sampled in {window} {epoch} (dead ReLUs pass no gradient and do not recover)."),
                    convolution
                        ? "a lower learning rate, He initialisation, input standardisation"
                        : "a lower learning rate, He initialisation, input standardisation, batch normalisation (BatchNorm = true), maxout units")
                { IsConvolution = convolution });
            acc.Reset();
            return health;
        }

        /// <summary>
        /// Saturation, dead units and zeros, or maxout piece wins, of <paramref name="a"/>: rows of
        /// <paramref name="units"/> units (a convolution's channels) of <paramref name="positions"/> values each (1 for
        /// a dense layer). A unit is active once any of its values in any row is positive.
        /// </summary>
        private void ActivationStatistics(Accumulator acc, Activation activation, ReadOnlySpan<float> a, int units, int positions, ReadOnlySpan<int> winners)
        {
            switch (activation)
            {
                case Activation.Sigmoid:
                {
                    double limit = 0.25 * _options.SaturationLevel;
                    foreach (float v in a)
                    {
                        if (v * (1.0 - v) < limit) acc.Saturated++;
                        acc.SumAbsZ += v <= 0f || v >= 1f ? SigmoidZCap : Math.Min(SigmoidZCap, Math.Abs(Math.Log(v / (1.0 - v))));
                    }
                    break;
                }
                case Activation.Tanh:
                    foreach (float v in a)
                    {
                        if (1.0 - (double)v * v < _options.SaturationLevel) acc.Saturated++;
                        acc.SumAbsZ += Math.Abs(v) >= 1f ? TanhZCap : Math.Min(TanhZCap, Math.Abs(Math.Atanh(v)));
                    }
                    break;
                case Activation.ReLU:
                    for (int first = 0, u = 0; first < a.Length; first += positions, u = u + 1 == units ? 0 : u + 1)
                        foreach (float v in a.Slice(first, positions))
                        {
                            if (v > 0f) acc.Active[u] = true;
                            else acc.Zeros++;
                        }
                    break;
                case Activation.Maxout:
                    foreach (int winner in winners) acc.PieceWins[winner]++;
                    break;
            }
            acc.Values += a.Length;
        }

        /// <summary>Gradient norms, the update ratio and the weight norm of the weights at [<paramref name="offset"/>, + <paramref name="weights"/>).</summary>
        private void ParameterStatistics(Accumulator acc, ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int offset, int weights, double biasSquares)
        {
            acc.WeightGradientNorm += Norm(gradients.Slice(offset, weights));
            acc.BiasGradientNorm += Math.Sqrt(biasSquares);
            var now = parameters.Slice(offset, weights);
            var before = _before.AsSpan(offset, weights);
            double change = 0, size = 0;
            for (int i = 0; i < weights; i++)
            {
                double d = now[i] - before[i];
                change += d * d;
                size += (double)before[i] * before[i];
            }
            acc.UpdateRatio += size > 0 ? Math.Sqrt(change / size) : 0;
            acc.WeightNorm = Norm(now);
        }

        private static double Squares(ReadOnlySpan<float> values)
        {
            double sum = 0;
            foreach (float v in values) sum += (double)v * v;
            return sum;
        }

        private static double Norm(ReadOnlySpan<float> values) => Math.Sqrt(Squares(values));

        private sealed class Accumulator
        {
            public readonly bool[] Active;
            public readonly long[] PieceWins;
            public long Values, Saturated, Zeros;
            public double SumAbsZ, WeightGradientNorm, BiasGradientNorm, WeightNorm, UpdateRatio, BatchMeanShift, BatchVarianceRatio;

            public Accumulator(Activation activation, int units, int pieces)
            {
                Active = new bool[activation == Activation.ReLU ? units : 0];
                PieceWins = new long[activation == Activation.Maxout ? pieces : 0];
            }

            public void Reset()
            {
                Array.Clear(Active);
                Array.Clear(PieceWins);
                Values = Saturated = Zeros = 0;
                SumAbsZ = WeightGradientNorm = BiasGradientNorm = UpdateRatio = BatchMeanShift = BatchVarianceRatio = 0;
            }
        }
    }
}
