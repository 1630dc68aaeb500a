using System;

namespace CompiledNet
{
    /// <summary>Measures a network on a data set in inference mode.</summary>
    public static class Evaluator
    {
        /// <summary>Accuracy (share of examples whose <c>Classify</c> equals the label) and mean <c>Loss</c>; allocates nothing per example.</summary>
        public static ClassificationMetrics Evaluate(INetwork net, Dataset data)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
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
    }
}
