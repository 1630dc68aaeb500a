using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>Every example once per epoch, in the data set's order.</summary>
    public sealed class SequentialBatches : BatchingStrategy
    {
        /// <inheritdoc/>
        public override string Name => "sequential";

        /// <inheritdoc/>
        public override BatchSampler CreateSampler(Dataset data, int batchSize)
        {
            ArgumentNullException.ThrowIfNull(data);
            return new Sampler(data.Count);
        }

        private sealed class Sampler(int count) : BatchSampler
        {
            public override int MaxEpochLength => count;

            public override int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network)
            {
                CheckOrderLength(order);
                for (int i = 0; i < count; i++) order[i] = i;
                return count;
            }
        }
    }
}
