namespace CompiledNet
{
    /// <summary>
    /// How well a network's outputs fit a regression data set's targets (see <see cref="Evaluator.EvaluateRegression"/>).
    /// With n examples of k targets, prediction ŷ and target y: the errors are taken over all n·k values, and R² per
    /// target column then averaged (scikit-learn's <c>r2_score</c> default, "uniform average").
    /// </summary>
    public readonly record struct RegressionMetrics
    {
        /// <summary>Number of examples measured.</summary>
        public int Count { get; init; }

        /// <summary>Mean <c>Loss</c> (the network's own loss against the targets) over the examples; NaN for an empty data set.</summary>
        public double MeanLoss { get; init; }

        /// <summary>Root mean squared error: √(Σ (ŷ − y)² / (n·k)), in the targets' unit; NaN for an empty data set.</summary>
        public double Rmse { get; init; }

        /// <summary>Mean absolute error: Σ |ŷ − y| / (n·k), in the targets' unit; NaN for an empty data set.</summary>
        public double Mae { get; init; }

        /// <summary>
        /// Coefficient of determination: per target column j, R²ⱼ = 1 − Σᵢ (ŷᵢⱼ − yᵢⱼ)² / Σᵢ (yᵢⱼ − ȳⱼ)², averaged over the
        /// columns. 1 is a perfect fit, 0 is as good as predicting the mean, negative is worse than that. NaN when a
        /// column's targets are all equal (its denominator is 0) or the data set is empty.
        /// </summary>
        public double RSquared { get; init; }
    }
}
