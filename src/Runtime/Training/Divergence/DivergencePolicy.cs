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
}
