using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>
    /// Every example exactly once per epoch, in a fresh permutation each epoch: the identity order shuffled by
    /// Fisher–Yates with the run's generator (so the permutation of an epoch depends only on the generator's state
    /// at its start).
    /// </summary>
    public sealed class ShuffledBatches : BatchingStrategy
    {
        /// <inheritdoc/>
        public override string Name => "shuffle";

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
                var span = order[..count];
                for (int i = 0; i < count; i++) span[i] = i;
                rng.Shuffle(span);
                return count;
            }
        }
    }
}
