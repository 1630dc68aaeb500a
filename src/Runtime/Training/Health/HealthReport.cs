using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>The health of every layer over one window (an epoch under <see cref="Trainer"/>).</summary>
    public sealed record HealthReport
    {
        /// <summary>The epoch (1-based) the window belongs to.</summary>
        public int Epoch { get; init; }

        /// <summary>The network's step counter at the end of the window.</summary>
        public long Step { get; init; }

        /// <summary>Number of sampled steps the statistics come from.</summary>
        public int Samples { get; init; }

        /// <summary>One entry per dense layer, input to output.</summary>
        public IReadOnlyList<LayerHealth> Layers { get; init; } = Array.Empty<LayerHealth>();

        /// <summary>
        /// A convolutional network's convolutions, input to output (empty for other networks). Pooling layers have no
        /// parameters and no activation, so they have no entry.
        /// </summary>
        public IReadOnlyList<LayerHealth> FeatureLayers { get; init; } = Array.Empty<LayerHealth>();

        /// <summary>Layers that crossed <see cref="HealthOptions.WarningShare"/>.</summary>
        public IReadOnlyList<HealthWarning> Warnings { get; init; } = Array.Empty<HealthWarning>();

        /// <summary>CSV header of <see cref="WriteCsv"/>.</summary>
        public const string CsvHeader = "epoch,step,samples,layer,description,activation,saturated_share,mean_abs_preactivation,dead_unit_share,zero_share,piece_win_shares,weight_gradient_norm,bias_gradient_norm,weight_norm,update_to_weight_ratio,batch_mean_shift,batch_variance_ratio,kind";

        /// <summary>
        /// Writes reports as CSV, one row per layer and report, convolutions first (invariant culture; empty cells for
        /// statistics that do not apply; piece shares joined by ';'; the last column, kind, is Conv2D or Dense and says
        /// which numbering the layer column follows).
        /// </summary>
        public static void WriteCsv(IEnumerable<HealthReport> reports, string path)
        {
            ArgumentNullException.ThrowIfNull(reports);
            var text = new StringBuilder(CsvHeader).Append('\n');
            static string N(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
            foreach (var report in reports)
                foreach (var l in report.FeatureLayers.Concat(report.Layers))
                    text.Append(string.Join(",",
                        report.Epoch.ToString(CultureInfo.InvariantCulture), report.Step.ToString(CultureInfo.InvariantCulture),
                        report.Samples.ToString(CultureInfo.InvariantCulture), l.Layer.ToString(CultureInfo.InvariantCulture),
                        "\"" + l.Description + "\"", l.Activation.ToString(),
                        N(l.SaturatedShare), N(l.MeanAbsPreActivation), N(l.DeadUnitShare), N(l.ZeroShare),
                        l.PieceWinShares is null ? "" : string.Join(";", l.PieceWinShares.Select(p => N(p))),
                        N(l.WeightGradientNorm), N(l.BiasGradientNorm), N(l.WeightNorm), N(l.UpdateToWeightRatio),
                        N(l.BatchMeanShift), N(l.BatchVarianceRatio), l.IsConvolution ? "Conv2D" : "Dense")).Append('\n');
            File.WriteAllText(path, text.ToString());
        }
    }
}
