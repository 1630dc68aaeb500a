using System;

namespace CompiledNet
{
    /// <summary>Settings of a training run.</summary>
    public sealed record TrainingOptions
    {
        /// <summary>Number of passes over the training set. Default 10.</summary>
        public int Epochs { get; init; } = 10;

        /// <summary>Seed of the per-epoch shuffle; the same seed gives the same order of examples. Default 0.</summary>
        public long Seed { get; init; }

        /// <summary>Draw a fresh permutation every epoch (default); false keeps the data set's order. Ignored when <see cref="Batching"/> is set.</summary>
        public bool Shuffle { get; init; } = true;

        /// <summary>
        /// How epochs are cut into batches: <see cref="BatchingStrategy.Shuffle"/>, <see cref="BatchingStrategy.ClassBalanced"/>,
        /// <see cref="BatchingStrategy.Curriculum"/>, … Null (the default) follows <see cref="Shuffle"/>. Every strategy draws
        /// from the run's seeded shuffle generator, so runs repeat and resume bit-identically.
        /// </summary>
        public BatchingStrategy? Batching { get; init; }

        /// <summary>
        /// Image augmentation applied to each example as its batch is assembled (random shifts and rotations; the data
        /// set is not changed), or null (the default) for none. Its randomness comes from a generator derived from
        /// <see cref="Seed"/> and the epoch number, so it does not change the batches, and resumed runs repeat it.
        /// </summary>
        public ImageAugmentation? Augmentation { get; init; }

        /// <summary>
        /// A held-out test set measured after every epoch (<see cref="EpochReport.TestAccuracy"/>, <see cref="EpochReport.TestLoss"/>;
        /// for regression data <see cref="EpochReport.TestRegression"/>), or null for none. It only reports: nothing in
        /// training depends on it. It must be of the same kind (classification or regression) as the training data.
        /// </summary>
        public Dataset? TestData { get; init; }

        /// <summary>
        /// A validation set measured after every epoch (<see cref="EpochReport.ValidationAccuracy"/>,
        /// <see cref="EpochReport.ValidationLoss"/>, for regression data <see cref="EpochReport.ValidationRegression"/>; see
        /// <see cref="Dataset.StratifiedSplit"/> and <see cref="Dataset.Split"/>); early stopping watches its loss. Null for none.
        /// </summary>
        public Dataset? ValidationData { get; init; }

        /// <summary>
        /// Early stopping: stop when the validation loss has not improved for this many epochs, and restore the
        /// parameters (and all other state) of the best epoch. Needs <see cref="ValidationData"/>. Null (default) = off.
        /// </summary>
        public int? EarlyStoppingPatience { get; init; }

        /// <summary>
        /// The learning-rate schedule, applied before every epoch from the rate the network has when training starts.
        /// Null (the default) uses the schedule declared on the network (<c>[Optimizer(…, Decay = …)]</c>), if any;
        /// otherwise the rate stays as it is.
        /// </summary>
        public LearningRateSchedule? Schedule { get; init; }

        /// <summary>
        /// Gradient-norm clipping: when the L2 norm of the whole gradient exceeds this, the gradient is scaled down to it
        /// before the optimizer step. Null (the default) turns clipping off.
        /// </summary>
        public float? MaxGradientNorm { get; init; }

        /// <summary>
        /// Steps between two checks that every parameter is finite (the loss is checked every step), through
        /// <see cref="ITrainable.LastStepFinite"/>. 1, the default, stops at the very step that produced a NaN or infinity.
        /// Generated networks test each parameter as their optimizer step writes it, so the check costs nothing and
        /// there is no reason to change this; for another <see cref="ITrainable"/> the check scans the whole parameter
        /// buffer, and a larger interval trades detection latency for speed (a step in between is not looked at).
        /// 0 checks only at the end of each epoch (by a scan of the parameters, as every epoch ends).
        /// </summary>
        public int ParameterCheckInterval { get; init; } = 1;

        /// <summary>
        /// The training health monitor (saturation, dead units, gradient flow per layer; see <see cref="HealthMonitor"/>),
        /// or null (the default) for none. Each <see cref="EpochReport.Health"/> then carries the epoch's statistics and
        /// warnings. Needs a generated network (<see cref="ICompiledNetwork"/>).
        /// </summary>
        public HealthOptions? Health { get; init; }

        /// <summary>
        /// Divergence by explosion: training stops (or rolls back, with <see cref="DivergencePolicy.RollBack"/>) when the
        /// batch loss, smoothed over about the last 10 steps (exponential moving average, weight 0.1 for the newest),
        /// exceeds this factor times its lowest value so far in the run and also exceeds the run's first batch loss.
        /// Default 100: a loss a hundred times its best and worse than the untrained network's is no longer training.
        /// Null turns the check off (NaN and infinity are always caught).
        /// </summary>
        public double? LossExplosionFactor { get; init; } = 100;

        /// <summary>
        /// What to do when training diverges: the loss or a parameter becomes NaN or infinite, or the loss explodes
        /// (<see cref="LossExplosionFactor"/>). Default: restore the network to the start of the epoch and stop with a
        /// <see cref="TrainingDivergedException"/>.
        /// </summary>
        public DivergencePolicy Divergence { get; init; } = DivergencePolicy.Stop;

        /// <summary>With <see cref="DivergencePolicy.RollBack"/>: the factor applied to the learning rate at each roll-back (default 0.5).</summary>
        public float RollBackRateFactor { get; init; } = 0.5f;

        /// <summary>With <see cref="DivergencePolicy.RollBack"/>: roll-backs allowed in one run before training stops (default 3).</summary>
        public int MaxRollBacks { get; init; } = 3;

        /// <summary>
        /// When set, a checkpoint (network state, epoch and shuffle generator) is saved atomically to this path after
        /// every <see cref="CheckpointEvery"/> epochs; <see cref="Trainer.Resume{TNet}"/> continues from it bit-identically.
        /// The network must be an <see cref="ICompiledNetwork"/> (every generated network is).
        /// </summary>
        public string? CheckpointPath { get; init; }

        /// <summary>Epochs between checkpoints (default 1).</summary>
        public int CheckpointEvery { get; init; } = 1;

        /// <summary>
        /// The standardizer the training data was prepared with, if any. Training does not apply it (standardise the
        /// data sets before training, with <see cref="Dataset.Standardize"/>); it is written into every checkpoint, so
        /// <see cref="CheckpointInfo.Standardizer"/> gives it back with the weights and a served model prepares its
        /// inputs exactly as in training.
        /// </summary>
        public Standardizer? Standardizer { get; init; }

        /// <summary>
        /// Per-step progress inside an epoch: receives a <see cref="StepReport"/> every <see cref="StepProgressInterval"/>
        /// steps and at each epoch's last step, on the training thread; null (the default) for none. Reporting allocates
        /// nothing with <see cref="SynchronousProgress{T}"/> or your own <see cref="IProgress{T}"/>; <see cref="Progress{T}"/>
        /// posts every report to the thread pool (an allocation per report).
        /// </summary>
        public IProgress<StepReport>? StepProgress { get; init; }

        /// <summary>Steps between two <see cref="StepProgress"/> reports (default 100; must be positive).</summary>
        public int StepProgressInterval { get; init; } = 100;
    }
}
