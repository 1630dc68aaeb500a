using System;

namespace CompiledNet
{
    /// <summary>
    /// Training produced a NaN or infinite loss or parameter, or an exploding loss. The message names where and when,
    /// and whether the network was restored to its last good state (<see cref="RestoredToEpochStart"/>).
    /// </summary>
    public sealed class TrainingDivergedException : Exception
    {
        public TrainingDivergedException(int epoch, long step, double lastFiniteLoss, string where, float learningRate)
            : this(epoch, step, lastFiniteLoss, where, learningRate, restoredToEpochStart: false)
        {
        }

        /// <summary>The exception, saying whether the network was restored to its state at the start of <paramref name="epoch"/>.</summary>
        public TrainingDivergedException(int epoch, long step, double lastFiniteLoss, string where, float learningRate, bool restoredToEpochStart)
            : base($"Training diverged in epoch {epoch} at step {step}: {where}. The last finite batch loss was " +
                   (double.IsNaN(lastFiniteLoss) ? "never seen" : lastFiniteLoss.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)) +
                   $"; the learning rate was {learningRate.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}. " +
                   (restoredToEpochStart ? $"The network was restored to its state at the start of epoch {epoch}, the last one known to be good. " : "") +
                   "Lower the learning rate, clip the gradient norm (TrainingOptions.MaxGradientNorm), or use DivergencePolicy.RollBack.")
        {
            Epoch = epoch;
            Step = step;
            LastFiniteLoss = lastFiniteLoss;
            Where = where;
            LearningRate = learningRate;
            RestoredToEpochStart = restoredToEpochStart;
        }

        /// <summary>1-based epoch in which training diverged.</summary>
        public int Epoch { get; }

        /// <summary>The network's step counter at the failing step.</summary>
        public long Step { get; }

        /// <summary>The last finite batch loss before it, or NaN.</summary>
        public double LastFiniteLoss { get; }

        /// <summary>What went wrong: the loss (its value), or the first non-finite parameter or gradient (layer and position).</summary>
        public string Where { get; }

        /// <summary>The learning rate in use.</summary>
        public float LearningRate { get; }

        /// <summary>
        /// True when the network was put back to its state at the start of <see cref="Epoch"/> (parameters, optimizer
        /// state, statistics, step counter, mask generator), as <see cref="Trainer"/> does before it gives up; false
        /// when it holds the diverged values (as <see cref="EpochTrainer{TNet}.RunEpoch"/> leaves them).
        /// </summary>
        public bool RestoredToEpochStart { get; }

        internal TrainingDivergedException Restored() => new(Epoch, Step, LastFiniteLoss, Where, LearningRate, restoredToEpochStart: true);
    }
}
