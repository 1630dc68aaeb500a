namespace CompiledNet
{
    /// <summary>What one epoch did, reported after it ends.</summary>
    public readonly record struct EpochReport
    {
        /// <summary>1-based epoch number.</summary>
        public int Epoch { get; init; }

        /// <summary>Number of epochs of the run.</summary>
        public int Epochs { get; init; }

        /// <summary>Mean training loss over every example of the epoch (each batch's mean weighted by its size), measured before each step.</summary>
        public double TrainLoss { get; init; }

        /// <summary>Learning rate used in this epoch.</summary>
        public float LearningRate { get; init; }

        /// <summary>Training time of this epoch, without the evaluation.</summary>
        public double Seconds { get; init; }

        /// <summary>Optimizer steps taken in this epoch.</summary>
        public long Steps { get; init; }

        /// <summary>Accuracy on <see cref="TrainingOptions.TestData"/>, if set and classification data.</summary>
        public double? TestAccuracy { get; init; }

        /// <summary>Mean loss on <see cref="TrainingOptions.TestData"/>, if set.</summary>
        public double? TestLoss { get; init; }

        /// <summary>How often this epoch was rolled back and rerun at a lower rate after diverging.</summary>
        public int RollBacks { get; init; }

        /// <summary>Accuracy on <see cref="TrainingOptions.ValidationData"/>, if set and classification data.</summary>
        public double? ValidationAccuracy { get; init; }

        /// <summary>Mean loss on <see cref="TrainingOptions.ValidationData"/>, if set.</summary>
        public double? ValidationLoss { get; init; }

        /// <summary>RMSE, MAE and R² on <see cref="TrainingOptions.TestData"/>, if set and regression data (its mean loss is also <see cref="TestLoss"/>).</summary>
        public RegressionMetrics? TestRegression { get; init; }

        /// <summary>RMSE, MAE and R² on <see cref="TrainingOptions.ValidationData"/>, if set and regression data (its mean loss is also <see cref="ValidationLoss"/>).</summary>
        public RegressionMetrics? ValidationRegression { get; init; }

        /// <summary>The health monitor's per-layer statistics and warnings for this epoch, with <see cref="TrainingOptions.Health"/>.</summary>
        public HealthReport? Health { get; init; }
    }
}
