using System;

namespace CompiledNet
{
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
