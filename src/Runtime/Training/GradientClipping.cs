using System;

namespace CompiledNet
{
    /// <summary>Gradient clipping, as the training loop applies it with <see cref="TrainingOptions.MaxGradientNorm"/>.</summary>
    public static class GradientClipping
    {
        /// <summary>
        /// Scales <paramref name="gradient"/> so its L2 norm is at most <paramref name="maxNorm"/> (clipping by the norm
        /// of the whole gradient: Pascanu, Mikolov and Bengio, 2013); a gradient already within the bound is unchanged.
        /// </summary>
        public static void ClipByNorm(Span<float> gradient, float maxNorm)
        {
            if (!(maxNorm > 0) || float.IsInfinity(maxNorm))
                throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The largest gradient norm must be a finite number greater than 0.");
            double squares = 0;
            foreach (float g in gradient) squares += (double)g * g;
            double norm = Math.Sqrt(squares);
            if (norm <= maxNorm || norm == 0) return;
            float scale = (float)(maxNorm / norm);
            for (int j = 0; j < gradient.Length; j++) gradient[j] *= scale;
        }
    }
}
