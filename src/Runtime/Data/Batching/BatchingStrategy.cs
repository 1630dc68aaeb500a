using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>
    /// How a training run turns a data set into mini-batches: which examples an epoch visits, how often, and in what
    /// order. The batches are consecutive runs of <c>BatchSize</c> entries of the epoch's order (the last one may be
    /// shorter). Every strategy draws its randomness from the training loop's seeded shuffle generator only, so the
    /// same seed gives the same batches, and a checkpoint (which saves that generator) resumes bit-identically.
    /// Set it with <see cref="TrainingOptions.Batching"/>. For regression data (<see cref="Dataset.IsRegression"/>) the
    /// sensible choices are <see cref="Shuffle"/> (the default) and <see cref="Sequential"/>; a curriculum works too
    /// (by loss: against the targets); class-balanced batches refuse it, as there are no classes.
    /// </summary>
    public abstract class BatchingStrategy
    {
        /// <summary>The data set's own order every epoch (what <c>TrainingOptions.Shuffle = false</c> gives).</summary>
        public static BatchingStrategy Sequential { get; } = new SequentialBatches();

        /// <summary>A fresh uniformly random permutation every epoch: every example exactly once per epoch (the default).</summary>
        public static BatchingStrategy Shuffle { get; } = new ShuffledBatches();

        /// <summary>Class-balanced batches; see <see cref="ClassBalancedBatches"/> for the policies. Classification data only: regression data is refused.</summary>
        public static BatchingStrategy ClassBalanced(ClassBalancePolicy policy = ClassBalancePolicy.Oversample) => new ClassBalancedBatches(policy);

        /// <summary>A curriculum ordered by a difficulty score per example (lower is easier); see <see cref="CurriculumBatches"/>.</summary>
        public static BatchingStrategy Curriculum(float[] difficulty, int stages = 4, int epochsPerStage = 1)
            => new CurriculumBatches(difficulty, stages, epochsPerStage);

        /// <summary>A curriculum ordered by each example's loss under the current network, measured before every epoch; see <see cref="CurriculumBatches"/>.</summary>
        public static BatchingStrategy CurriculumByLoss(int stages = 4, int epochsPerStage = 1)
            => new CurriculumBatches(null, stages, epochsPerStage);

        /// <summary>A short description, e.g. "class-balanced (oversample)".</summary>
        public abstract string Name { get; }

        /// <summary>
        /// Creates the per-run state for <paramref name="data"/> and batches of <paramref name="batchSize"/>: all
        /// buffers are allocated here, so drawing an epoch's order allocates nothing. Checks that the strategy fits
        /// the data (for example, a difficulty score with one value per example).
        /// </summary>
        public abstract BatchSampler CreateSampler(Dataset data, int batchSize);

        /// <inheritdoc/>
        public override string ToString() => Name;
    }
}
