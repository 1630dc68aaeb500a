using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>The reports of a run, its total training time (evaluation excluded), and where early stopping ended it.</summary>
    public sealed record TrainingResult
    {
        /// <summary>One report per epoch run.</summary>
        public IReadOnlyList<EpochReport> Epochs { get; init; } = Array.Empty<EpochReport>();

        /// <summary>Training time of all epochs.</summary>
        public double TotalSeconds { get; init; }

        /// <summary>With early stopping: the epoch whose state was restored; otherwise the last epoch.</summary>
        public int BestEpoch { get; init; }

        /// <summary>True when early stopping ended the run before its last epoch.</summary>
        public bool StoppedEarly { get; init; }

        /// <summary>
        /// True when the run trained on regression data (<see cref="Dataset.IsRegression"/>): its reports carry
        /// <see cref="EpochReport.TestRegression"/> and <see cref="EpochReport.ValidationRegression"/> instead of accuracies.
        /// </summary>
        public bool IsRegression { get; init; }

        /// <summary>
        /// Writes the history as CSV (invariant culture, one row per epoch, round-trip number format; empty cells for what
        /// was not measured). A classification run has the columns <c>epoch, train_loss, learning_rate, seconds, steps,
        /// validation_loss, validation_accuracy, test_loss, test_accuracy, rollbacks</c>; a regression run
        /// (<see cref="IsRegression"/>) has RMSE, MAE and R² in place of each accuracy: <c>epoch, train_loss,
        /// learning_rate, seconds, steps, validation_loss, validation_rmse, validation_mae, validation_r2, test_loss,
        /// test_rmse, test_mae, test_r2, rollbacks</c>.
        /// </summary>
        public void WriteCsv(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var writer = new System.IO.StreamWriter(path);
            writer.WriteLine(IsRegression
                ? "epoch,train_loss,learning_rate,seconds,steps,validation_loss,validation_rmse,validation_mae,validation_r2,test_loss,test_rmse,test_mae,test_r2,rollbacks"
                : "epoch,train_loss,learning_rate,seconds,steps,validation_loss,validation_accuracy,test_loss,test_accuracy,rollbacks");
            static string N(double? v) => v?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "";
            static string I(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            static string Fit(RegressionMetrics? m) => string.Join(",", N(m?.Rmse), N(m?.Mae), N(m?.RSquared));
            foreach (var r in Epochs)
                writer.WriteLine(IsRegression
                    ? string.Join(",", I(r.Epoch), N(r.TrainLoss), N(r.LearningRate), N(r.Seconds), I(r.Steps),
                        N(r.ValidationLoss), Fit(r.ValidationRegression), N(r.TestLoss), Fit(r.TestRegression), I(r.RollBacks))
                    : string.Join(",", I(r.Epoch), N(r.TrainLoss), N(r.LearningRate), N(r.Seconds), I(r.Steps),
                        N(r.ValidationLoss), N(r.ValidationAccuracy), N(r.TestLoss), N(r.TestAccuracy), I(r.RollBacks)));
        }

        /// <summary>Writes the health monitor's per-layer statistics of every epoch as CSV (see <see cref="HealthReport.WriteCsv"/>); needs <see cref="TrainingOptions.Health"/>.</summary>
        public void WriteHealthCsv(string path)
        {
            var reports = new List<HealthReport>();
            foreach (var r in Epochs) if (r.Health is not null) reports.Add(r.Health);
            if (reports.Count == 0) throw new InvalidOperationException("This run has no health statistics: set TrainingOptions.Health.");
            HealthReport.WriteCsv(reports, path);
        }
    }
}
