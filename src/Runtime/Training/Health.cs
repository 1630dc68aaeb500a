using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>Settings of the training health monitor (<see cref="TrainingOptions.Health"/>).</summary>
    public sealed record HealthOptions
    {
        /// <summary>
        /// Steps between two sampled steps (1 = every step). The first step of every epoch is always sampled. A
        /// sample copies the parameters before the step (for the update-to-weight ratio) and reads the activations,
        /// gradients and batch statistics after it. Default 50.
        /// </summary>
        public int Every { get; init; } = 50;

        /// <summary>
        /// A sigmoid or tanh activation counts as saturated when its derivative is below this share of the
        /// derivative's maximum (σ′ ≤ 1/4, tanh′ ≤ 1). Default 0.05: σ below 0.0128 or above 0.9872 (|z| &gt; 4.36),
        /// |tanh| above 0.9747 (|z| &gt; 2.18).
        /// </summary>
        public double SaturationLevel { get; init; } = 0.05;

        /// <summary>A layer is reported (a <see cref="HealthWarning"/>) when more than this share of its activations is saturated or of its ReLU units is dead over an epoch. Default 0.5.</summary>
        public double WarningShare { get; init; } = 0.5;

        internal void Validate()
        {
            if (Every < 1) throw new ArgumentOutOfRangeException(nameof(Every), Every, "Sample at least every step (Every ≥ 1).");
            if (!(SaturationLevel > 0 && SaturationLevel < 1)) throw new ArgumentOutOfRangeException(nameof(SaturationLevel), SaturationLevel, "The saturation level is a share of the derivative's maximum, in (0, 1).");
            if (!(WarningShare >= 0 && WarningShare <= 1)) throw new ArgumentOutOfRangeException(nameof(WarningShare), WarningShare, "The warning share lies in [0, 1].");
        }
    }

    /// <summary>
    /// The health of one layer over a window of training steps (an epoch, under <see cref="Trainer"/>), from the
    /// sampled steps. Statistics that do not apply to the layer's activation are null.
    /// </summary>
    /// <param name="Layer">1-based layer number.</param>
    /// <param name="Description">The layer in words, e.g. "layer 2 (Dense 256 → 128 ReLU)".</param>
    /// <param name="Activation">The layer's activation.</param>
    /// <param name="SaturatedShare">Sigmoid and tanh: share of activations whose derivative is below <see cref="HealthOptions.SaturationLevel"/> of its maximum.</param>
    /// <param name="MeanAbsPreActivation">Sigmoid and tanh: mean |z| of the pre-activations (recovered from the activations; |z| is capped at 17 for sigmoid and 9 for tanh, where float runs out).</param>
    /// <param name="DeadUnitShare">ReLU: share of units that were 0 for every example of every sampled step.</param>
    /// <param name="ZeroShare">ReLU: share of activations that were 0.</param>
    /// <param name="PieceWinShares">Maxout: for each piece index, the share of unit activations it won.</param>
    /// <param name="WeightGradientNorm">Mean over sampled steps of ‖∂L/∂W‖₂ (the loss gradient, regularisers excluded); NaN, like the other norms, when the window sampled no step.</param>
    /// <param name="BiasGradientNorm">Mean over sampled steps of the L2 norm of the gradient of the biases (or of γ and β with batch norm); 0 without.</param>
    /// <param name="WeightNorm">‖W‖₂ after the last sampled step.</param>
    /// <param name="UpdateToWeightRatio">Mean over sampled steps of ‖ΔW‖₂ / ‖W‖₂ for the step's update (a common rule of thumb: around 1e-3).</param>
    /// <param name="BatchMeanShift">Batch norm: mean over units of |batch mean − running mean| in running standard deviations.</param>
    /// <param name="BatchVarianceRatio">Batch norm: mean over units of batch variance / running variance.</param>
    public sealed record LayerHealth(
        int Layer, string Description, Activation Activation,
        double? SaturatedShare, double? MeanAbsPreActivation, double? DeadUnitShare, double? ZeroShare,
        IReadOnlyList<double>? PieceWinShares,
        double WeightGradientNorm, double BiasGradientNorm, double WeightNorm, double UpdateToWeightRatio,
        double? BatchMeanShift, double? BatchVarianceRatio);

    /// <summary>A layer that crossed a threshold, with the usual remedies.</summary>
    public sealed record HealthWarning(int Layer, string Problem, string Remedies)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Problem} Remedies: {Remedies}.";
    }

    /// <summary>The health of every layer over one window (an epoch under <see cref="Trainer"/>).</summary>
    /// <param name="Epoch">The epoch (1-based) the window belongs to.</param>
    /// <param name="Step">The network's step counter at the end of the window.</param>
    /// <param name="Samples">Number of sampled steps the statistics come from.</param>
    /// <param name="Layers">One entry per layer, input to output.</param>
    /// <param name="Warnings">Layers that crossed <see cref="HealthOptions.WarningShare"/>.</param>
    public sealed record HealthReport(int Epoch, long Step, int Samples, IReadOnlyList<LayerHealth> Layers, IReadOnlyList<HealthWarning> Warnings)
    {
        /// <summary>CSV header of <see cref="WriteCsv"/>.</summary>
        public const string CsvHeader = "epoch,step,samples,layer,description,activation,saturated_share,mean_abs_preactivation,dead_unit_share,zero_share,piece_win_shares,weight_gradient_norm,bias_gradient_norm,weight_norm,update_to_weight_ratio,batch_mean_shift,batch_variance_ratio";

        /// <summary>Writes reports as CSV, one row per layer and report (invariant culture; empty cells for statistics that do not apply; piece shares joined by ';').</summary>
        public static void WriteCsv(IEnumerable<HealthReport> reports, string path)
        {
            ArgumentNullException.ThrowIfNull(reports);
            var text = new StringBuilder(CsvHeader).Append('\n');
            static string N(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
            foreach (var report in reports)
                foreach (var l in report.Layers)
                    text.Append(string.Join(",",
                        report.Epoch.ToString(CultureInfo.InvariantCulture), report.Step.ToString(CultureInfo.InvariantCulture),
                        report.Samples.ToString(CultureInfo.InvariantCulture), l.Layer.ToString(CultureInfo.InvariantCulture),
                        "\"" + l.Description + "\"", l.Activation.ToString(),
                        N(l.SaturatedShare), N(l.MeanAbsPreActivation), N(l.DeadUnitShare), N(l.ZeroShare),
                        l.PieceWinShares is null ? "" : string.Join(";", l.PieceWinShares.Select(p => N(p))),
                        N(l.WeightGradientNorm), N(l.BiasGradientNorm), N(l.WeightNorm), N(l.UpdateToWeightRatio),
                        N(l.BatchMeanShift), N(l.BatchVarianceRatio))).Append('\n');
            File.WriteAllText(path, text.ToString());
        }
    }

    /// <summary>
    /// The training health monitor: saturation, dead units, maxout piece use, gradient and weight norms, update
    /// ratios and batch-norm drift per layer, from sampled training steps. Call <see cref="BeforeStep"/> and
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

        private readonly IInspectable _net;
        private readonly HealthOptions _options;
        private readonly IReadOnlyList<LayerDescription> _layers;
        private readonly float[] _before;
        private readonly float[] _statisticsBefore;
        private readonly Accumulator[] _acc;
        private long _stepsInWindow;
        private bool _sampling;
        private int _samples;

        /// <summary>Monitors <paramref name="net"/> with <paramref name="options"/> (defaults when null).</summary>
        public HealthMonitor(IInspectable net, HealthOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(net);
            _options = options ?? new HealthOptions();
            _options.Validate();
            _net = net;
            _layers = net.Layers;
            _before = new float[net.ParameterCount];
            _statisticsBefore = new float[net.BatchNormStatistics.Length];
            _acc = new Accumulator[_layers.Count];
            for (int l = 0; l < _acc.Length; l++) _acc[l] = new Accumulator(_layers[l]);
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
            for (int l = 0; l < _layers.Count; l++)
            {
                var layer = _layers[l];
                var acc = _acc[l];
                var a = _net.TrainingActivations(l + 1).Slice(0, count * layer.Units);
                switch (layer.Activation)
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
                        for (int r = 0; r < count; r++)
                            for (int u = 0; u < layer.Units; u++)
                            {
                                if (a[r * layer.Units + u] > 0f) acc.Active[u] = true;
                                else acc.Zeros++;
                            }
                        break;
                    case Activation.Maxout:
                        foreach (int winner in _net.TrainingMaxoutWinners(l + 1).Slice(0, count * layer.Units)) acc.PieceWins[winner]++;
                        break;
                }
                acc.Values += a.Length;

                int weights = layer.Inputs * layer.Width;
                acc.WeightGradientNorm += Norm(gradients.Slice(layer.WeightOffset, weights));
                double biasSquares = 0;
                if (layer.BiasOffset >= 0) biasSquares += Squares(gradients.Slice(layer.BiasOffset, layer.Width));
                if (layer.GammaOffset >= 0) biasSquares += Squares(gradients.Slice(layer.GammaOffset, layer.Units));
                if (layer.BetaOffset >= 0) biasSquares += Squares(gradients.Slice(layer.BetaOffset, layer.Units));
                acc.BiasGradientNorm += Math.Sqrt(biasSquares);
                var now = parameters.Slice(layer.WeightOffset, weights);
                var before = _before.AsSpan(layer.WeightOffset, weights);
                double change = 0, size = 0;
                for (int i = 0; i < weights; i++)
                {
                    double d = now[i] - before[i];
                    change += d * d;
                    size += (double)before[i] * before[i];
                }
                acc.UpdateRatio += size > 0 ? Math.Sqrt(change / size) : 0;
                acc.WeightNorm = Norm(now);

                if (layer.BatchNorm && layer.StatisticsOffset >= 0)
                {
                    // The step updated running = keep·old + (1 − keep)·batch (variance unbiased by s/(s − 1)); solve for the batch's.
                    double unbias = count > 1 ? (double)count / (count - 1) : 1;
                    double shift = 0, ratio = 0;
                    for (int u = 0; u < layer.Units; u++)
                    {
                        int m = layer.StatisticsOffset + u, v = m + layer.Units;
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
            var layers = new List<LayerHealth>(_layers.Count);
            var warnings = new List<HealthWarning>();
            for (int l = 0; l < _layers.Count; l++)
            {
                var layer = _layers[l];
                var acc = _acc[l];
                string description = $"layer {l + 1} (Dense {layer.Inputs} → {layer.Units} {layer.Activation}{(layer.BatchNorm ? ", batch norm" : "")})";
                double samples = Math.Max(1, _samples);
                bool any = _samples > 0 && acc.Values > 0;
                bool squashing = layer.Activation is Activation.Sigmoid or Activation.Tanh;
                double? saturated = squashing && any ? (double)acc.Saturated / acc.Values : null;
                double? meanAbsZ = squashing && any ? acc.SumAbsZ / acc.Values : null;
                double? dead = layer.Activation == Activation.ReLU && any ? (double)acc.Active.Count(x => !x) / layer.Units : null;
                double? zeros = layer.Activation == Activation.ReLU && any ? (double)acc.Zeros / acc.Values : null;
                IReadOnlyList<double>? pieces = layer.Activation == Activation.Maxout && any
                    ? acc.PieceWins.Select(w => (double)w / acc.Values).ToArray() : null;
                double Mean(double sum) => _samples > 0 ? sum / samples : double.NaN;   // NaN: no step was sampled in this window
                layers.Add(new LayerHealth(l + 1, description, layer.Activation, saturated, meanAbsZ, dead, zeros, pieces,
                    Mean(acc.WeightGradientNorm), Mean(acc.BiasGradientNorm), _samples > 0 ? acc.WeightNorm : double.NaN, Mean(acc.UpdateRatio),
                    layer.BatchNorm && any ? acc.BatchMeanShift / samples : null, layer.BatchNorm && any ? acc.BatchVarianceRatio / samples : null));

                bool hidden = l < _layers.Count - 1;
                if (saturated > _options.WarningShare)
                    warnings.Add(new HealthWarning(l + 1,
                        string.Create(CultureInfo.InvariantCulture, $"{description}: {saturated * 100:F0}% of its activations were saturated in {window} {epoch} (derivative below {_options.SaturationLevel * 100:0.#}% of its maximum; mean |z| {meanAbsZ:F2}), so little gradient flows through it."),
                        (hidden ? "ReLU units instead of " + layer.Activation : "log-loss instead of quadratic loss on a sigmoid output")
                        + ", careful initialisation (Glorot for sigmoid and tanh), input standardisation, batch normalisation (BatchNorm = true), a lower learning rate"));
                if (dead > _options.WarningShare)
                    warnings.Add(new HealthWarning(l + 1,
                        string.Create(CultureInfo.InvariantCulture, $"{description}: {dead * 100:F0}% of its units were 0 for every example sampled in {window} {epoch} (dead ReLUs pass no gradient and do not recover)."),
                        "a lower learning rate, He initialisation, input standardisation, batch normalisation (BatchNorm = true), maxout units"));
                acc.Reset();
            }
            var report = new HealthReport(epoch, _net.Step, _samples, layers, warnings);
            _samples = 0;
            _stepsInWindow = 0;
            return report;
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

            public Accumulator(LayerDescription layer)
            {
                Active = new bool[layer.Activation == Activation.ReLU ? layer.Units : 0];
                PieceWins = new long[layer.Activation == Activation.Maxout ? layer.Pieces : 0];
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
