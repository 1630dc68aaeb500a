using System;

namespace CompiledNet
{
    /// <summary>What the training loop does when the loss or a parameter becomes NaN or infinite.</summary>
    public enum DivergencePolicy
    {
        /// <summary>Stop at that step with a <see cref="TrainingDivergedException"/> (the default).</summary>
        Stop = 0,

        /// <summary>
        /// Restore the state saved in memory at the start of the epoch, multiply the learning rate by
        /// <see cref="TrainingOptions.RollBackRateFactor"/> and run the epoch again, at most
        /// <see cref="TrainingOptions.MaxRollBacks"/> times in a run; after that, stop as <see cref="Stop"/> does.
        /// </summary>
        RollBack = 1,
    }

    /// <summary>Training produced a NaN or infinite loss or parameter. The message names where and when.</summary>
    public sealed class TrainingDivergedException : Exception
    {
        public TrainingDivergedException(int epoch, long step, double lastFiniteLoss, string where, float learningRate)
            : base($"Training diverged in epoch {epoch} at step {step}: {where}. The last finite batch loss was " +
                   (double.IsNaN(lastFiniteLoss) ? "never seen" : lastFiniteLoss.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)) +
                   $"; the learning rate was {learningRate.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}. " +
                   "Lower the learning rate, clip the gradient norm (TrainingOptions.MaxGradientNorm), or use DivergencePolicy.RollBack.")
        {
            Epoch = epoch;
            Step = step;
            LastFiniteLoss = lastFiniteLoss;
            Where = where;
            LearningRate = learningRate;
        }

        /// <summary>1-based epoch in which training diverged.</summary>
        public int Epoch { get; }

        /// <summary>The network's step counter at the failing step.</summary>
        public long Step { get; }

        /// <summary>The last finite batch loss before it, or NaN.</summary>
        public double LastFiniteLoss { get; }

        /// <summary>What became non-finite: the loss, or the first non-finite parameter or gradient (layer and position).</summary>
        public string Where { get; }

        /// <summary>The learning rate in use.</summary>
        public float LearningRate { get; }
    }
}
