using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>Settings of the training health monitor (<see cref="TrainingOptions.Health"/>).</summary>
    public sealed record HealthOptions
    {
        /// <summary>
        /// Steps between two sampled steps (1 = every step). The first step of every epoch is always sampled. A
        /// sample copies the parameters before the step (for the update-to-weight ratio) and reads the activations,
        /// gradients and batch statistics after it. Default 50.
        /// </summary>
        public int Every { get; init; } = 50;

        /// <summary>
        /// A sigmoid or tanh activation counts as saturated when its derivative is below this share of the
        /// derivative's maximum (σ′ ≤ 1/4, tanh′ ≤ 1). Default 0.05: σ below 0.0128 or above 0.9872 (|z| &gt; 4.36),
        /// |tanh| above 0.9747 (|z| &gt; 2.18).
        /// </summary>
        public double SaturationLevel { get; init; } = 0.05;

        /// <summary>A layer is reported (a <see cref="HealthWarning"/>) when more than this share of its activations is saturated or of its ReLU units is dead over an epoch. Default 0.5.</summary>
        public double WarningShare { get; init; } = 0.5;

        internal void Validate()
        {
            if (Every < 1) throw new ArgumentOutOfRangeException(nameof(Every), Every, "Sample at least every step (Every ≥ 1).");
            if (!(SaturationLevel > 0 && SaturationLevel < 1)) throw new ArgumentOutOfRangeException(nameof(SaturationLevel), SaturationLevel, "The saturation level is a share of the derivative's maximum, in (0, 1).");
            if (!(WarningShare >= 0 && WarningShare <= 1)) throw new ArgumentOutOfRangeException(nameof(WarningShare), WarningShare, "The warning share lies in [0, 1].");
        }
    }
}
