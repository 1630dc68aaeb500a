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

        /// <summary>Number of features.</summary>
        public int FeatureSize => _mean.Length;

        /// <summary>The fitted mean of each feature.</summary>
        public ReadOnlySpan<float> Mean => _mean;

        /// <summary>The fitted standard deviation of each feature (population, 1/N); 0 for a constant feature.</summary>
        public ReadOnlySpan<float> StandardDeviation => _std;

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

        /// <summary>A standardised copy of <paramref name="data"/> (the original is unchanged).</summary>
        public Dataset Apply(Dataset data)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != _mean.Length)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example; the standardizer was fitted on {_mean.Length}.", nameof(data));
            var features = data.AllFeatures.ToArray();
            for (int i = 0; i < data.Count; i++) Apply(features.AsSpan(i * _mean.Length, _mean.Length));
            return new Dataset(features, data.FeatureSize, data.Labels.ToArray(), data.ClassCount);
        }
    }
}
