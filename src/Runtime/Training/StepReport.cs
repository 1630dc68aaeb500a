namespace CompiledNet
{
    /// <summary>
    /// One sampled optimizer step inside an epoch, reported to <see cref="TrainingOptions.StepProgress"/> every
    /// <see cref="TrainingOptions.StepProgressInterval"/> steps and at the epoch's last step, so a progress bar can move
    /// within an epoch. A small readonly struct: reporting it allocates nothing.
    /// </summary>
    public readonly record struct StepReport
    {
        /// <summary>1-based epoch number.</summary>
        public int Epoch { get; init; }

        /// <summary>1-based number of this step within the epoch.</summary>
        public long Step { get; init; }

        /// <summary>Steps this epoch takes (⌈examples / BatchSize⌉).</summary>
        public long StepsInEpoch { get; init; }

        /// <summary>Examples of the epoch trained on so far, this step's batch included.</summary>
        public int Examples { get; init; }

        /// <summary>Examples the epoch visits.</summary>
        public int ExamplesInEpoch { get; init; }

        /// <summary>This batch's mean loss (before its optimizer step).</summary>
        public float BatchLoss { get; init; }

        /// <summary>Mean loss over the examples of the epoch so far (each batch weighted by its size), as <see cref="EpochReport.TrainLoss"/> will be at the end.</summary>
        public double MeanLoss { get; init; }

        /// <summary>The learning rate of this step.</summary>
        public float LearningRate { get; init; }
    }
}
