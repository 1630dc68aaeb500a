using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace CompiledNet
{
    /// <summary>
    /// Trains a compiled network for a number of epochs and reports each epoch. Classification data trains against
    /// its labels and reports accuracy; regression data (<see cref="Dataset.IsRegression"/>) trains against its
    /// targets — meant for a network with a quadratic loss — and reports RMSE, MAE and R²
    /// (<see cref="EpochReport.TestRegression"/>, <see cref="EpochReport.ValidationRegression"/>). Each epoch is an
    /// <see cref="System.Diagnostics.Activity"/> and its measurements go to the meter of <see cref="TrainingTelemetry"/>
    /// when someone listens.
    /// </summary>
    public static class Trainer
    {
        /// <summary>
        /// Runs <see cref="TrainingOptions.Epochs"/> epochs of mini-batch training of <paramref name="net"/> on
        /// <paramref name="train"/>, reporting each epoch to <paramref name="progress"/> (use <see cref="SynchronousProgress{T}"/>
        /// in console programs: <see cref="Progress{T}"/> posts its reports to the thread pool, out of order with your output).
        /// </summary>
        public static TrainingResult Train<TNet>(TNet net, Dataset train, TrainingOptions options,
            IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
            where TNet : ITrainable
            => Run(net, train, options, progress, cancellationToken, firstEpoch: 1, shuffleState: null, loop: null);

        /// <summary>
        /// Continues a run from the checkpoint at <paramref name="checkpointPath"/> (saved by a run with
        /// <see cref="TrainingOptions.CheckpointPath"/>): restores the network, then trains the epochs after the saved
        /// one up to <see cref="TrainingOptions.Epochs"/>, with the same shuffles, masks, learning rate, schedule,
        /// roll-back budget, divergence watch and early-stopping state as an uninterrupted run — the result is
        /// bit-identical to it, also after roll-backs. A checkpoint of format version 1 (which did not record the
        /// learning rate and the loop's state) is refused with <see cref="ArgumentException"/> before the network is changed.
        /// </summary>
        public static TrainingResult Resume<TNet>(TNet net, Dataset train, TrainingOptions options, string checkpointPath,
            IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
            where TNet : ICompiledNetwork
        {
            var header = Checkpoint.ReadInfo(checkpointPath);
            if (header.Epoch is null || header.ShuffleState is null)
                throw new ArgumentException($"{checkpointPath} was not saved by the training loop (it records no epoch and shuffle state), so a run cannot resume from it.", nameof(checkpointPath));
            if (header.FormatVersion < 2)
                throw new ArgumentException(
                    $"{checkpointPath} has checkpoint format version {header.FormatVersion}, which does not record the learning rate and the training loop's state (schedule, roll-backs), " +
                    "so a resumed run could differ from an uninterrupted one. Checkpoint.Load still reads the network from it.", nameof(checkpointPath));
            var info = Checkpoint.Load(net, checkpointPath);
            return Run(net, train, options, progress, cancellationToken, info.Epoch!.Value + 1, info.ShuffleState, info.Loop);
        }

        private static TrainingResult Run<TNet>(TNet net, Dataset train, TrainingOptions options,
            IProgress<EpochReport>? progress, CancellationToken cancellationToken, int firstEpoch, RngState? shuffleState, TrainingLoopState? loop)
            where TNet : ITrainable
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(train);
            if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be ≥ 0.");
            if (options.TestData is { } testData && testData.FeatureSize != net.InputSize)
                throw new ArgumentException($"TrainingOptions.TestData has {testData.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(options));
            if (options.Standardizer is { } standardizer && standardizer.FeatureSize != net.InputSize)
                throw new ArgumentException($"TrainingOptions.Standardizer was fitted on {standardizer.FeatureSize} features, but the network takes {net.InputSize} inputs.", nameof(options));
            if (options.ValidationData is { } validationData && validationData.FeatureSize != net.InputSize)
                throw new ArgumentException($"TrainingOptions.ValidationData has {validationData.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(options));
            if (options.TestData is { } testKind && testKind.IsRegression != train.IsRegression)
                throw new ArgumentException($"TrainingOptions.TestData is {Kind(testKind)} data, but the training set is {Kind(train)} data.", nameof(options));
            if (options.ValidationData is { } validationKind && validationKind.IsRegression != train.IsRegression)
                throw new ArgumentException($"TrainingOptions.ValidationData is {Kind(validationKind)} data, but the training set is {Kind(train)} data.", nameof(options));
            if (options.StepProgressInterval < 1)
                throw new ArgumentOutOfRangeException(nameof(options), options.StepProgressInterval, "TrainingOptions.StepProgressInterval must be at least 1.");
            if (options.CheckpointPath is not null && net is not ICompiledNetwork)
                throw new ArgumentException("CheckpointPath needs a network that implements ICompiledNetwork.", nameof(options));
            var batching = options.Batching ?? (options.Shuffle ? BatchingStrategy.Shuffle : BatchingStrategy.Sequential);
            var trainer = new EpochTrainer<TNet>(net, train, options.Seed, batching, options.Augmentation)
            {
                MaxGradientNorm = options.MaxGradientNorm,
                ParameterCheckInterval = options.ParameterCheckInterval,
                LossExplosionFactor = options.LossExplosionFactor,
                StepProgress = options.StepProgress,
                StepProgressInterval = options.StepProgressInterval,
            };
            var networkTag = TrainingTelemetry.NetworkTag(net.GetType().Name);
            if (shuffleState is RngState state) trainer.ShuffleState = state;
            if (options.Health is not null)
            {
                if (net is not ICompiledNetwork compiled)
                    throw new ArgumentException("The health monitor (TrainingOptions.Health) reads a generated network's activations: the network must implement ICompiledNetwork.", nameof(options));
                trainer.Monitor = new HealthMonitor(compiled, options.Health);
            }
            if (options.EarlyStoppingPatience is not null && options.ValidationData is null)
                throw new ArgumentException("Early stopping watches the validation loss: set TrainingOptions.ValidationData.", nameof(options));
            // The epoch-start state: what a roll-back returns to, and what the network is left at when training gives up.
            var snapshot = new StateSnapshot(net);
            var best = options.EarlyStoppingPatience is not null ? new StateSnapshot(net) : null;
            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0, sinceBest = 0;
            bool stoppedEarly = false;
            int rollBacksLeft = options.MaxRollBacks;
            var reports = new List<EpochReport>(options.Epochs);
            var schedule = options.Schedule ?? net.DeclaredSchedule;
            float initialRate = net.LearningRate;
            if (loop is not null)
            {
                initialRate = loop.ScheduleBaseRate;
                rollBacksLeft = loop.RollBacksLeft;
                trainer.WatchState = loop.Watch;
                bestLoss = loop.BestValidationLoss;
                bestEpoch = loop.BestEpoch;
                sinceBest = loop.EpochsSinceBest;
                if (best is not null && loop.Best is not null) best.Import(loop.Best);
            }
            double total = 0;
            for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
            {
                if (schedule is not null) net.LearningRate = schedule.RateAt(epoch - 1, initialRate);
                trainer.Epoch = epoch;
                using var activity = TrainingTelemetry.ActivitySource.HasListeners()
                    ? TrainingTelemetry.ActivitySource.StartActivity(TrainingTelemetry.EpochActivityName)
                    : null;
                activity?.SetTag("compilednet.training.epoch", epoch);
                activity?.SetTag("compilednet.network", net.GetType().Name);
                snapshot.Capture();
                var watchAtStart = trainer.WatchState;
                int rollBacks = 0;
                long started = Stopwatch.GetTimestamp();
                double loss;
                long steps;
                while (true)
                {
                    try
                    {
                        (loss, steps) = trainer.RunEpoch(cancellationToken);
                        break;
                    }
                    catch (TrainingDivergedException ex)
                    {
                        snapshot.Restore();
                        trainer.WatchState = watchAtStart;
                        trainer.Monitor?.EndWindow(epoch);   // the diverged attempt's statistics are discarded
                        if (options.Divergence != DivergencePolicy.RollBack || rollBacksLeft <= 0)
                        {
                            net.LearningRate = snapshot.LearningRate;
                            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                            throw ex.Restored();
                        }
                        // Documented policy: restore the epoch's starting state and retry at a lower rate.
                        rollBacksLeft--;
                        rollBacks++;
                        if (TrainingTelemetry.RollBacks.Enabled) TrainingTelemetry.RollBacks.Add(1, networkTag);
                        initialRate *= options.RollBackRateFactor;
                        net.LearningRate *= options.RollBackRateFactor;
                    }
                }
                float rate = net.LearningRate;
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                total += seconds;
                bool regression = train.IsRegression;
                ClassificationMetrics? test = options.TestData is null || regression ? null : Evaluator.Evaluate(net, options.TestData);
                ClassificationMetrics? validation = options.ValidationData is null || regression ? null : Evaluator.Evaluate(net, options.ValidationData);
                RegressionMetrics? testRegression = options.TestData is null || !regression ? null : Evaluator.EvaluateRegression(net, options.TestData);
                RegressionMetrics? validationRegression = options.ValidationData is null || !regression ? null : Evaluator.EvaluateRegression(net, options.ValidationData);
                double? validationLoss = validation?.MeanLoss ?? validationRegression?.MeanLoss;
                var report = new EpochReport
                {
                    Epoch = epoch,
                    Epochs = options.Epochs,
                    TrainLoss = loss,
                    LearningRate = rate,
                    Seconds = seconds,
                    Steps = steps,
                    TestAccuracy = test?.Accuracy,
                    TestLoss = test?.MeanLoss ?? testRegression?.MeanLoss,
                    RollBacks = rollBacks,
                    ValidationAccuracy = validation?.Accuracy,
                    ValidationLoss = validationLoss,
                    TestRegression = testRegression,
                    ValidationRegression = validationRegression,
                    Health = trainer.Monitor?.EndWindow(epoch),
                };
                reports.Add(report);
                Record(report, activity, networkTag);
                bool stop = false;
                if (best is not null && validationLoss is double v)
                {
                    if (v < bestLoss)
                    {
                        bestLoss = v;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        best.Capture();
                    }
                    else if (++sinceBest >= options.EarlyStoppingPatience)
                    {
                        stoppedEarly = epoch < options.Epochs;
                        stop = true;
                    }
                }
                if (options.CheckpointPath is not null && (epoch % Math.Max(1, options.CheckpointEvery) == 0 || epoch == options.Epochs))
                {
                    var loopState = new TrainingLoopState(initialRate, rollBacksLeft, trainer.WatchState, bestLoss, bestEpoch, sinceBest,
                        best is not null && bestEpoch > 0 ? best.Export() : null);
                    Checkpoint.Save((ICompiledNetwork)net, options.CheckpointPath, epoch, trainer.ShuffleState, loopState, options.Standardizer, static s => s);
                }
                progress?.Report(report);
                if (stop) break;
            }
            if (best is not null && bestEpoch > 0 && bestEpoch != (reports.Count > 0 ? reports[^1].Epoch : 0)) best.Restore();
            return new TrainingResult
            {
                Epochs = reports,
                TotalSeconds = total,
                BestEpoch = best is not null && bestEpoch > 0 ? bestEpoch : (reports.Count > 0 ? reports[^1].Epoch : 0),
                StoppedEarly = stoppedEarly,
                IsRegression = train.IsRegression,
            };
        }

        private static string Kind(Dataset data) => data.IsRegression ? "regression" : "classification";

        /// <summary>The epoch's measurements and activity tags, each only when someone listens.</summary>
        private static void Record(in EpochReport report, Activity? activity, KeyValuePair<string, object?> networkTag)
        {
            if (TrainingTelemetry.EpochLoss.Enabled) TrainingTelemetry.EpochLoss.Record(report.TrainLoss, networkTag);
            if (TrainingTelemetry.EpochDuration.Enabled) TrainingTelemetry.EpochDuration.Record(report.Seconds, networkTag);
            if (report.Health is { Warnings.Count: > 0 } health && TrainingTelemetry.HealthWarnings.Enabled)
                TrainingTelemetry.HealthWarnings.Add(health.Warnings.Count, networkTag);
            if (activity is null) return;
            activity.SetTag("compilednet.training.loss", report.TrainLoss);
            activity.SetTag("compilednet.training.rollbacks", report.RollBacks);
            if ((report.TestAccuracy ?? report.ValidationAccuracy) is double accuracy) activity.SetTag("compilednet.training.accuracy", accuracy);
            if ((report.TestRegression ?? report.ValidationRegression) is RegressionMetrics fit) activity.SetTag("compilednet.training.rmse", fit.Rmse);
        }
    }
}
