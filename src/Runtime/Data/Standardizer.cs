using System;

namespace CompiledNet
{
    /// <summary>
    /// Input standardisation: each feature shifted to zero mean and scaled to unit variance, with the mean and
    /// standard deviation fitted on the training set and then applied unchanged to training and test data alike
    /// (fitting on test data would leak it into the model). A feature that is constant in the training set
    /// (σ = 0, such as an always-black border pixel) is only centred.
    /// </summary>
    public sealed class Standardizer
    {
        private readonly float[] _mean;
        private readonly float[] _std;
        private readonly float[] _scale;

        private Standardizer(float[] mean, float[] std)
        {
            _mean = mean;
            _std = std;
            _scale = new float[std.Length];
            for (int f = 0; f < std.Length; f++) _scale[f] = std[f] > 0 ? 1f / std[f] : 1f;
        }

        /// <summary>
        /// A standardizer with a saved mean and standard deviation per feature (for instance <see cref="Mean"/> and
        /// <see cref="StandardDeviation"/> of one fitted earlier, kept with the model). A standard deviation of 0
        /// marks a feature that was constant in training, which is only centred, as <see cref="Fit"/> does.
        /// </summary>
        /// <exception cref="ArgumentException">
        /// The spans are empty or of different lengths, a mean is not finite, or a standard deviation is negative,
        /// not finite, or so small that its reciprocal is not finite; the message names the index and the value.
        /// </exception>
        public Standardizer(ReadOnlySpan<float> mean, ReadOnlySpan<float> standardDeviation)
            : this(Validated(mean, standardDeviation, out float[] std), std)
        {
        }

        private static float[] Validated(ReadOnlySpan<float> mean, ReadOnlySpan<float> standardDeviation, out float[] standardDeviationCopy)
        {
            if (mean.Length == 0) throw new ArgumentException("A standardizer needs at least one feature; mean is empty.", nameof(mean));
            if (standardDeviation.Length != mean.Length)
                throw new ArgumentException(
                    $"standardDeviation has {standardDeviation.Length} values but mean has {mean.Length}; they must have one per feature.", nameof(standardDeviation));
            string? problem = Problem(mean, standardDeviation);
            if (problem is not null)
                throw new ArgumentException(problem, problem.StartsWith("mean", StringComparison.Ordinal) ? nameof(mean) : nameof(standardDeviation));
            standardDeviationCopy = standardDeviation.ToArray();
            return mean.ToArray();
        }

        /// <summary>What is wrong with a saved mean and standard deviation of equal length, or null (shared with the checkpoint reader).</summary>
        internal static string? Problem(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
        {
            for (int f = 0; f < mean.Length; f++)
                if (!float.IsFinite(mean[f])) return $"mean[{f}] is {Text(mean[f])}; a mean must be finite.";
            for (int f = 0; f < std.Length; f++)
            {
                float s = std[f];
                if (!float.IsFinite(s) || s < 0)
                    return $"standardDeviation[{f}] is {Text(s)}; a standard deviation must be finite and not negative (0 marks a constant feature, which is only centred).";
                if (s > 0 && !float.IsFinite(1f / s))
                    return $"standardDeviation[{f}] is {Text(s)}; it is too small to divide by (its reciprocal is not a finite float).";
            }
            return null;
        }

        private static string Text(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Number of features.</summary>
        public int FeatureSize => _mean.Length;

        /// <summary>The fitted mean of each feature.</summary>
        public ReadOnlySpan<float> Mean => _mean;

        /// <summary>The fitted standard deviation of each feature (population, 1/N); 0 for a constant feature.</summary>
        public ReadOnlySpan<float> StandardDeviation => _std;

        /// <summary>The factor each feature is multiplied by after centring: 1/σ, or 1 for a constant feature (σ = 0).</summary>
        internal ReadOnlySpan<float> Scale => _scale;

        /// <summary>Fits mean and standard deviation per feature on <paramref name="training"/> (accumulated in double).</summary>
        public static Standardizer Fit(Dataset training)
        {
            ArgumentNullException.ThrowIfNull(training);
            if (training.Count == 0) throw new ArgumentException("Cannot fit a standardizer on an empty data set.", nameof(training));
            int size = training.FeatureSize;
            var sum = new double[size];
            var squares = new double[size];
            for (int i = 0; i < training.Count; i++)
            {
                var x = training.Features(i);
                for (int f = 0; f < size; f++)
                {
                    sum[f] += x[f];
                    squares[f] += (double)x[f] * x[f];
                }
            }
            var mean = new float[size];
            var std = new float[size];
            for (int f = 0; f < size; f++)
            {
                double m = sum[f] / training.Count;
                double variance = Math.Max(0, squares[f] / training.Count - m * m);
                mean[f] = (float)m;
                std[f] = variance < 1e-12 ? 0f : (float)Math.Sqrt(variance);
            }
            return new Standardizer(mean, std);
        }

        /// <summary>Standardises one example in place.</summary>
        public void Apply(Span<float> features)
        {
            if (features.Length != _mean.Length)
                throw new ArgumentException($"features has {features.Length} values; expected {_mean.Length}.", nameof(features));
            for (int f = 0; f < features.Length; f++) features[f] = (features[f] - _mean[f]) * _scale[f];
        }

        /// <summary>
        /// A standardised copy of <paramref name="data"/> (the original is unchanged), the same as
        /// <see cref="Dataset.Standardize"/>: labels or targets are kept, and so is the image size
        /// (<see cref="Dataset.ImageHeight"/>, <see cref="Dataset.ImageWidth"/>), so image augmentation still works on it.
        /// </summary>
        public Dataset Apply(Dataset data)
        {
            ArgumentNullException.ThrowIfNull(data);
            return data.Standardize(this);
        }
    }
}
