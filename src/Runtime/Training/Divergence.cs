using System;

namespace CompiledNet
{
    /// <summary>
    /// What the training loop does when training diverges: the loss or a parameter becomes NaN or infinite, or the
    /// loss explodes (see <see cref="TrainingOptions.LossExplosionFactor"/>).
    /// </summary>
    public enum DivergencePolicy
    {
        /// <summary>
        /// Stop at that step with a <see cref="TrainingDivergedException"/> (the default). <see cref="Trainer"/> first
        /// restores the network to its state at the start of the epoch, the last one known to be good.
        /// </summary>
        Stop = 0,

        /// <summary>
        /// Restore the state saved in memory at the start of the epoch, multiply the learning rate by
        /// <see cref="TrainingOptions.RollBackRateFactor"/> and run the epoch again, at most
        /// <see cref="TrainingOptions.MaxRollBacks"/> times in a run; after that, stop as <see cref="Stop"/> does (the
        /// network restored to the start of the epoch).
        /// </summary>
        RollBack = 1,
    }

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

    /// <summary>The loss watch's state, saved in checkpoints and roll-back snapshots.</summary>
    /// <param name="Smoothed">Exponential moving average of the batch losses.</param>
    /// <param name="Best">The lowest <paramref name="Smoothed"/> so far.</param>
    /// <param name="First">The run's first batch loss.</param>
    /// <param name="Steps">Steps watched.</param>
    internal readonly record struct LossWatchState(double Smoothed, double Best, double First, long Steps);

    /// <summary>
    /// Detects an exploding loss: the batch loss smoothed over about the last ten steps (an exponential moving average
    /// with weight 0.1 for the newest) exceeds a factor times its lowest value so far in the run, and also exceeds the
    /// run's first batch loss (a network worse than when it started). The smoothing keeps one unlucky batch from
    /// counting as an explosion; the second condition keeps a loss that has fallen close to zero from raising an
    /// alarm when it rises a little.
    /// </summary>
    internal sealed class LossWatch
    {
        public const double Weight = 0.1;

        public LossWatch(double? factor) => Factor = factor;

        public double? Factor { get; }

        public LossWatchState State { get; set; }

        /// <summary>Takes one finite batch loss; returns a description when the loss has exploded, null otherwise.</summary>
        public string? Observe(double loss)
        {
            var s = State;
            double smoothed = s.Steps == 0 ? loss : s.Smoothed + Weight * (loss - s.Smoothed);
            double first = s.Steps == 0 ? loss : s.First;
            double best = s.Steps == 0 ? smoothed : Math.Min(s.Best, smoothed);
            State = new LossWatchState(smoothed, best, first, s.Steps + 1);
            if (Factor is not double factor || !(smoothed > factor * best && smoothed > first)) return null;
            var c = System.Globalization.CultureInfo.InvariantCulture;
            return $"the loss exploded: the batch loss is {loss.ToString("G6", c)}, and smoothed over about 10 steps it is {smoothed.ToString("G6", c)}, " +
                   $"more than {factor.ToString("G6", c)} × its lowest {best.ToString("G6", c)} and above the first batch's {first.ToString("G6", c)}";
        }
    }
}
