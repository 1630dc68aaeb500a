using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Where every parameter segment sits in the flat buffer: layer by layer, the weights, then either the biases or,
    /// for a batch-normalised layer, γ then β. Weights are row-major [input][unit]: W[i, o] is at
    /// WeightOffset + i·Units + o, so one input's weights to consecutive units are contiguous (the forward kernel
    /// broadcasts an input and streams a row of W). Batch-norm population statistics (mean, then variance, per
    /// normalised layer) live in a separate buffer: they are not trained.
    /// </summary>
    internal sealed class Layout
    {
        public Layout(NetworkSpec spec)
        {
            int n = spec.Layers.Count;
            WeightOffset = new int[n];
            BiasOffset = new int[n];
            GammaOffset = new int[n];
            BetaOffset = new int[n];
            StatisticsOffset = new int[n];
            BatchNormIndex = new int[n];
            int offset = spec.FeatureParameterCount, statistics = spec.FeatureStatisticsCount, normalised = spec.FeatureBatchNormLayers; // the convolutions' parameters and statistics come first
            for (int l = 0; l < n; l++)
            {
                var layer = spec.Layers[l];
                WeightOffset[l] = offset;
                offset += layer.Inputs * layer.Width;
                if (layer.BatchNorm)
                {
                    BiasOffset[l] = -1;
                    GammaOffset[l] = offset;
                    BetaOffset[l] = offset + layer.Units;
                    offset += 2 * layer.Units;
                    StatisticsOffset[l] = statistics;
                    statistics += 2 * layer.Units;
                    BatchNormIndex[l] = normalised++;
                }
                else
                {
                    BiasOffset[l] = layer.Bias ? offset : -1;
                    GammaOffset[l] = BetaOffset[l] = StatisticsOffset[l] = BatchNormIndex[l] = -1;
                    if (layer.Bias) offset += layer.Width;
                }
            }
            ParameterCount = offset;
            StatisticsCount = statistics;
            BatchNormLayers = normalised;
        }

        public int[] WeightOffset { get; }

        /// <summary>Offset of the biases, or −1 for a batch-normalised layer.</summary>
        public int[] BiasOffset { get; }

        public int[] GammaOffset { get; }

        public int[] BetaOffset { get; }

        /// <summary>Offset of a normalised layer's population mean in the statistics buffer (its variance follows).</summary>
        public int[] StatisticsOffset { get; }

        /// <summary>0-based index among the batch-normalised layers, or −1.</summary>
        public int[] BatchNormIndex { get; }

        public int ParameterCount { get; }

        public int StatisticsCount { get; }

        public int BatchNormLayers { get; }

        /// <summary>The end of layer <paramref name="l"/>'s parameters.</summary>
        public int End(int l, LayerSpec layer)
            => BiasOffset[l] >= 0 ? BiasOffset[l] + layer.Width : BetaOffset[l] >= 0 ? BetaOffset[l] + layer.Units : WeightOffset[l] + layer.Inputs * layer.Width;

        /// <summary>"weights [a..b), biases [b..c)" or "weights [a..b), γ [b..c), β [c..d)".</summary>
        public string Ranges(int l, LayerSpec layer)
        {
            string weights = $"weights [{Int(WeightOffset[l])}..{Int(WeightOffset[l] + layer.Inputs * layer.Width)})";
            if (!layer.Bias && !layer.BatchNorm) return weights + " (no biases)";
            return BiasOffset[l] >= 0
                ? $"{weights}, biases [{Int(BiasOffset[l])}..{Int(BiasOffset[l] + layer.Width)})"
                : $"{weights}, γ [{Int(GammaOffset[l])}..{Int(GammaOffset[l] + layer.Units)}), β [{Int(BetaOffset[l])}..{Int(BetaOffset[l] + layer.Units)})";
        }
    }
}
