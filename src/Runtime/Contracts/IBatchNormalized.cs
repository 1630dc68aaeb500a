using System;

namespace CompiledNet
{
    /// <summary>
    /// A compiled network with batch-normalised layers. Inference uses population statistics: by default the running
    /// averages kept during training; <see cref="BatchNorm.RecomputePopulationStatistics"/> replaces them with the
    /// exact mean and variance over a data set.
    /// </summary>
    public interface IBatchNormalized : INetwork
    {
        /// <summary>Number of batch-normalised layers.</summary>
        int BatchNormLayerCount { get; }

        /// <summary>Per normalised layer, the population mean then variance of each unit.</summary>
        Span<float> BatchNormStatistics { get; }

        /// <summary>Starts the exact pass for one normalised layer (0-based).</summary>
        void BeginPopulationStatistics(int index);

        /// <summary>Adds one example to the pass.</summary>
        void AccumulatePopulationStatistics(ReadOnlySpan<float> x);

        /// <summary>Ends the pass and stores the layer's statistics.</summary>
        void EndPopulationStatistics();
    }
}
