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

        /// <summary>Writes the history as CSV (invariant culture, one row per epoch; empty cells for what was not measured).</summary>
        public void WriteCsv(string path)
        {
            using var writer = new System.IO.StreamWriter(path);
            writer.WriteLine("epoch,train_loss,learning_rate,seconds,steps,validation_loss,validation_accuracy,test_loss,test_accuracy,rollbacks");
            static string N(double? v) => v?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "";
            foreach (var r in Epochs)
                writer.WriteLine(string.Join(",", r.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), N(r.TrainLoss), N(r.LearningRate), N(r.Seconds),
                    r.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), N(r.ValidationLoss), N(r.ValidationAccuracy), N(r.TestLoss), N(r.TestAccuracy),
                    r.RollBacks.ToString(System.Globalization.CultureInfo.InvariantCulture)));
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
