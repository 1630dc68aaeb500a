namespace CompiledNet
{
    /// <summary>How a network classifies a data set: its accuracy and mean loss (see <see cref="Evaluator.Evaluate"/>).</summary>
    public readonly record struct ClassificationMetrics
    {
        /// <summary>Share of the examples whose <c>Classify</c> equals the label; NaN for an empty data set.</summary>
        public double Accuracy { get; init; }

        /// <summary>Mean <c>Loss</c> over the examples; NaN for an empty data set.</summary>
        public double MeanLoss { get; init; }

        /// <summary>Number of examples measured.</summary>
        public int Count { get; init; }
    }
}
