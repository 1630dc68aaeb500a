using System;

namespace CompiledNet
{
    /// <summary>Batch-normalisation helpers.</summary>
    public static class BatchNorm
    {
        /// <summary>
        /// Replaces the running averages with the exact population statistics over <paramref name="data"/>, layer by
        /// layer from the input, each layer's pass using the new statistics of the layers before it (an exact
        /// pass over the training data after training, as Ioffe and Szegedy, 2015, propose for inference).
        /// </summary>
        public static void RecomputePopulationStatistics(IBatchNormalized net, Dataset data)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            for (int layer = 0; layer < net.BatchNormLayerCount; layer++)
            {
                net.BeginPopulationStatistics(layer);
                for (int i = 0; i < data.Count; i++) net.AccumulatePopulationStatistics(data.Features(i));
                net.EndPopulationStatistics();
            }
        }
    }
}
