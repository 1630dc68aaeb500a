using System;

namespace CompiledNet
{
    /// <summary>Measures a network on a data set in inference mode.</summary>
    public static class Evaluator
    {
        /// <summary>
        /// Accuracy (share of examples whose <c>Classify</c> equals the label) and mean <c>Loss</c>; allocates nothing per
        /// example. Classification data only: regression data throws <see cref="ArgumentException"/> pointing to
        /// <see cref="EvaluateRegression"/>.
        /// </summary>
        public static ClassificationMetrics Evaluate(INetwork net, Dataset data)
        {
            Check(net, data, regression: false);
            if (data.Count == 0) return new ClassificationMetrics { Accuracy = double.NaN, MeanLoss = double.NaN, Count = 0 };
            int correct = 0;
            double loss = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var x = data.Features(i);
                int label = data.Label(i);
                if (net.Classify(x) == label) correct++;
                loss += net.Loss(x, label);
            }
            return new ClassificationMetrics { Accuracy = (double)correct / data.Count, MeanLoss = loss / data.Count, Count = data.Count };
        }

        /// <summary>
        /// The confusion matrix and per-class precision, recall and F1 with macro averages (see
        /// <see cref="ClassificationReport"/>); one pass of <c>Classify</c> and <c>Loss</c> over the data.
        /// </summary>
        public static ClassificationReport EvaluateReport(INetwork net, Dataset data)
        {
            Check(net, data, regression: false);
            int classes = Math.Max(data.ClassCount, net.OutputSize == 1 ? 2 : net.OutputSize);
            var confusion = new int[classes * classes];
            double loss = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var x = data.Features(i);
                int label = data.Label(i);
                int predicted = net.Classify(x);
                if ((uint)predicted >= (uint)classes)
                    throw new InvalidOperationException($"The network classified example {i} as {predicted}; expected a class in [0, {classes}).");
                confusion[label * classes + predicted]++;
                loss += net.Loss(x, label);
            }
            return new ClassificationReport(classes, confusion, data.Count == 0 ? double.NaN : loss / data.Count);
        }

        /// <summary>
        /// RMSE, MAE and R² of the network's outputs against the targets of regression data (definitions on
        /// <see cref="RegressionMetrics"/>), and its mean <c>Loss</c>; sums in double, allocates nothing per example.
        /// The network's <c>OutputSize</c> must equal the data's <see cref="Dataset.TargetSize"/>.
        /// </summary>
        public static RegressionMetrics EvaluateRegression(INetwork net, Dataset data)
        {
            Check(net, data, regression: true);
            int n = data.Count, k = data.TargetSize;
            if (n == 0) return new RegressionMetrics { Count = 0, MeanLoss = double.NaN, Rmse = double.NaN, Mae = double.NaN, RSquared = double.NaN };
            Span<float> output = k <= 256 ? stackalloc float[k] : new float[k];
            // Per target column: the running mean and Σ (y − ȳ)² by Welford's update (no cancellation for large means).
            Span<double> mean = k <= 128 ? stackalloc double[k] : new double[k];
            Span<double> spread = k <= 128 ? stackalloc double[k] : new double[k];
            Span<double> residual = k <= 128 ? stackalloc double[k] : new double[k];
            mean.Clear(); spread.Clear(); residual.Clear();
            double absolute = 0, loss = 0;
            for (int i = 0; i < n; i++)
            {
                var x = data.Features(i);
                var y = data.Targets(i);
                net.Predict(x, output);
                loss += net.Loss(x, y);
                for (int j = 0; j < k; j++)
                {
                    double e = (double)output[j] - y[j];
                    residual[j] += e * e;
                    absolute += Math.Abs(e);
                    double delta = y[j] - mean[j];
                    mean[j] += delta / (i + 1);
                    spread[j] += delta * (y[j] - mean[j]);
                }
            }
            double squaredError = 0, r2 = 0;
            for (int j = 0; j < k; j++)
            {
                squaredError += residual[j];
                r2 += spread[j] > 0 ? 1 - residual[j] / spread[j] : double.NaN;
            }
            return new RegressionMetrics
            {
                Count = n,
                MeanLoss = loss / n,
                Rmse = Math.Sqrt(squaredError / ((double)n * k)),
                Mae = absolute / ((double)n * k),
                RSquared = r2 / k,
            };
        }

        private static void Check(INetwork net, Dataset data, bool regression)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            if (regression && !data.IsRegression)
                throw new ArgumentException("This data set holds class labels, not regression targets: use Evaluator.Evaluate or EvaluateReport.", nameof(data));
            if (!regression && data.IsRegression)
                throw new ArgumentException($"This data set holds regression targets ({data.TargetSize} per example), not class labels: use Evaluator.EvaluateRegression.", nameof(data));
            if (regression && data.TargetSize != net.OutputSize)
                throw new ArgumentException($"The data set has {data.TargetSize} targets per example, but the network has {net.OutputSize} outputs.", nameof(data));
        }
    }
}
