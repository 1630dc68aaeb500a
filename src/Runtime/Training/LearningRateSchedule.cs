using System;

namespace CompiledNet
{
    /// <summary>
    /// A learning-rate schedule over epochs, applied by the training loop before each epoch:
    /// η_e = <see cref="RateAt"/>(e, η_0) for the 0-based epoch e.
    /// </summary>
    public abstract class LearningRateSchedule
    {
        /// <summary>The learning rate of 0-based epoch <paramref name="epoch"/> for the initial rate <paramref name="initialRate"/>.</summary>
        public abstract float RateAt(int epoch, float initialRate);

        /// <summary>η_e = η_0.</summary>
        public static LearningRateSchedule Constant { get; } = new DecaySchedule(1f, 1);

        /// <summary>Exponential decay per epoch: η_e = η_0·decay^e, decay in (0, 1].</summary>
        public static LearningRateSchedule Exponential(float decay) => new DecaySchedule(decay, 1);

        /// <summary>Step decay: η_e = η_0·factor^⌊e / every⌋, factor in (0, 1], every ≥ 1.</summary>
        public static LearningRateSchedule Step(int every, float factor) => new DecaySchedule(factor, every);

        private sealed class DecaySchedule : LearningRateSchedule
        {
            private readonly float _factor;
            private readonly int _every;

            public DecaySchedule(float factor, int every)
            {
                if (!(factor > 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The decay factor must be in (0, 1].");
                if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "The decay interval must be at least 1 epoch.");
                _factor = factor;
                _every = every;
            }

            public override float RateAt(int epoch, float initialRate)
            {
                if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Epochs are counted from 0.");
                return (float)(initialRate * Math.Pow(_factor, epoch / _every));
            }

            public override string ToString() => _factor == 1f ? "constant" : _every == 1 ? $"exponential ×{_factor} per epoch" : $"step ×{_factor} every {_every} epochs";
        }
    }
}
