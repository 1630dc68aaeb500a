using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>The per-run state of a <see cref="BatchingStrategy"/>: draws each epoch's order of example indices.</summary>
    public abstract class BatchSampler
    {
        /// <summary>The longest order any epoch can have (the size of the buffer the training loop allocates once).</summary>
        public abstract int MaxEpochLength { get; }

        /// <summary>
        /// Writes epoch <paramref name="epoch"/>'s (0-based, counted from the start of the run) order of example
        /// indices into <paramref name="order"/> (at least <see cref="MaxEpochLength"/> long) and returns its length.
        /// Randomness comes only from <paramref name="rng"/>; <paramref name="network"/> is the network being trained
        /// (a loss-based curriculum measures it). Allocates nothing.
        /// </summary>
        public abstract int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network);

        /// <summary>Throws when <paramref name="order"/> is shorter than <see cref="MaxEpochLength"/>.</summary>
        protected void CheckOrderLength(Span<int> order)
        {
            if (order.Length < MaxEpochLength)
                throw new ArgumentException($"The order buffer has {order.Length} entries; this sampler needs {MaxEpochLength}.", nameof(order));
        }
    }
}
