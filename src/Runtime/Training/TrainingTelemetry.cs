using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CompiledNet
{
    /// <summary>
    /// The training loop's telemetry, with the base class library only: a <see cref="System.Diagnostics.Metrics.Meter"/>
    /// and an <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="Name"/> ("CompiledNet.Training"), so
    /// <c>dotnet-counters monitor --counters CompiledNet.Training</c> and OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>)
    /// see training without any package. As in the base class library and ASP.NET Core, the names are the public contract
    /// and the instances stay inside the library: subscribe by name (<c>AddMeter(TrainingTelemetry.Name)</c>, a
    /// <see cref="MeterListener"/> that enables the instruments whose <c>Meter.Name</c> is <see cref="Name"/>, an
    /// <see cref="ActivityListener"/> whose <c>ShouldListenTo</c> tests the source's name). Instrument names follow the OpenTelemetry naming guidelines (lower case,
    /// dotted, units in UCUM, durations in seconds); every measurement carries the tag <c>compilednet.network</c> (the
    /// network's type name). While nobody listens, the loop only tests <see cref="Instrument.Enabled"/> and
    /// <see cref="ActivitySource.HasListeners"/>: no clock is read, nothing is recorded, nothing allocated.
    /// </summary>
    public static class TrainingTelemetry
    {
        /// <summary>The name of the meter and of the activity source: "CompiledNet.Training".</summary>
        public const string Name = "CompiledNet.Training";

        /// <summary>The name of the activity started for every epoch by <see cref="Trainer"/>.</summary>
        public const string EpochActivityName = "compilednet.training.epoch";

        /// <summary>The meter all training instruments belong to (listeners find it by <see cref="Name"/>).</summary>
        internal static Meter Meter { get; } = new(Name, typeof(TrainingTelemetry).Assembly.GetName().Version?.ToString());

        /// <summary>The source of the per-epoch activities (tags <c>compilednet.training.epoch</c>, <c>.loss</c>, <c>.accuracy</c> or <c>.rmse</c>); listeners find it by <see cref="Name"/>.</summary>
        internal static ActivitySource ActivitySource { get; } = new(Name, typeof(TrainingTelemetry).Assembly.GetName().Version?.ToString());

        /// <summary>Histogram <c>compilednet.training.epoch.loss</c>: each epoch's mean training loss.</summary>
        internal static readonly Histogram<double> EpochLoss = Meter.CreateHistogram<double>(
            "compilednet.training.epoch.loss", "{loss}", "Mean training loss of each epoch.");

        /// <summary>Histogram <c>compilednet.training.epoch.duration</c>: training time of each epoch (evaluation excluded).</summary>
        internal static readonly Histogram<double> EpochDuration = Meter.CreateHistogram<double>(
            "compilednet.training.epoch.duration", "s", "Training time of each epoch, evaluation excluded.");

        /// <summary>Histogram <c>compilednet.training.step.duration</c>: time of each optimizer step (batch gathering included).</summary>
        internal static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
            "compilednet.training.step.duration", "s", "Time of each training step: gathering the batch, forward, backward and optimizer step.");

        /// <summary>Counter <c>compilednet.training.steps</c>: optimizer steps taken.</summary>
        internal static readonly Counter<long> Steps = Meter.CreateCounter<long>(
            "compilednet.training.steps", "{step}", "Optimizer steps taken.");

        /// <summary>Counter <c>compilednet.training.rollbacks</c>: epochs rolled back after divergence.</summary>
        internal static readonly Counter<long> RollBacks = Meter.CreateCounter<long>(
            "compilednet.training.rollbacks", "{rollback}", "Epochs rolled back and rerun at a lower learning rate after the loss diverged.");

        /// <summary>Counter <c>compilednet.training.health.warnings</c>: warnings of the health monitor.</summary>
        internal static readonly Counter<long> HealthWarnings = Meter.CreateCounter<long>(
            "compilednet.training.health.warnings", "{warning}", "Warnings raised by the training health monitor.");

        internal static KeyValuePair<string, object?> NetworkTag(string network) => new("compilednet.network", network);
    }
}
