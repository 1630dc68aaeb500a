using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace CompiledNet
{
    /// <summary>Settings of a training run.</summary>
    public sealed record TrainingOptions
    {
        /// <summary>Number of passes over the training set. Default 10.</summary>
        public int Epochs { get; init; } = 10;

        /// <summary>Seed of the per-epoch shuffle; the same seed gives the same order of examples. Default 0.</summary>
        public long Seed { get; init; }

        /// <summary>Draw a fresh permutation every epoch (default); false keeps the data set's order.</summary>
        public bool Shuffle { get; init; } = true;

        /// <summary>A data set evaluated after every epoch (accuracy and mean loss), or null for none.</summary>
        public Dataset? Evaluation { get; init; }

        /// <summary>
        /// The learning-rate schedule, applied before every epoch from the rate the network has when training starts.
        /// Null (the default) uses the schedule declared on the network (<c>[Optimizer(…, Decay = …)]</c>), if any;
        /// otherwise the rate stays as it is.
        /// </summary>
        public LearningRateSchedule? Schedule { get; init; }
    }

    /// <summary>What one epoch did, reported after it ends.</summary>
    /// <param name="Epoch">1-based epoch number.</param>
    /// <param name="Epochs">Number of epochs of the run.</param>
    /// <param name="TrainLoss">Mean training loss over every example of the epoch (each batch's mean weighted by its size), measured before each step.</param>
    /// <param name="LearningRate">Learning rate used in this epoch.</param>
    /// <param name="Seconds">Training time of this epoch, without the evaluation.</param>
    /// <param name="Steps">Optimizer steps taken in this epoch.</param>
    /// <param name="TestAccuracy">Accuracy on <see cref="TrainingOptions.Evaluation"/>, if set.</param>
    /// <param name="TestLoss">Mean loss on <see cref="TrainingOptions.Evaluation"/>, if set.</param>
    public readonly record struct EpochReport(
        int Epoch, int Epochs, double TrainLoss, float LearningRate, double Seconds, long Steps, double? TestAccuracy, double? TestLoss);

    /// <summary>The reports of a run and its total training time (evaluation excluded).</summary>
    public sealed record TrainingResult(IReadOnlyList<EpochReport> Epochs, double TotalSeconds);

    /// <summary>
    /// The epoch loop of mini-batch SGD over an in-memory data set: a fresh seeded permutation every epoch, batches
    /// of the network's BatchSize gathered into buffers allocated once, and the last partial batch passed with its
    /// real size. <see cref="RunEpoch"/> allocates nothing.
    /// </summary>
    public sealed class EpochTrainer<TNet> where TNet : ITrainable
    {
        private readonly TNet _net;
        private readonly Dataset _data;
        private readonly bool _shuffle;
        private readonly Rng _rng;
        private readonly int[] _order;
        private readonly float[] _inputs;
        private readonly int[] _labels;

        /// <summary>Prepares training of <paramref name="net"/> on <paramref name="data"/>; checks that they fit each other.</summary>
        public EpochTrainer(TNet net, Dataset data, long seed, bool shuffle = true)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
            if (data.ClassCount > classes)
                throw new ArgumentException($"The data set has {data.ClassCount} classes, but the network's labels lie in [0, {classes}).", nameof(data));
            if (data.Count == 0) throw new ArgumentException("The data set is empty.", nameof(data));
            _net = net;
            _data = data;
            _shuffle = shuffle;
            _rng = new Rng(seed);
            _order = new int[data.Count];
            for (int i = 0; i < _order.Length; i++) _order[i] = i;
            _inputs = new float[net.BatchSize * net.InputSize];
            _labels = new int[net.BatchSize];
        }

        /// <summary>The order in which the last epoch visited the examples.</summary>
        public ReadOnlySpan<int> Order => _order;

        /// <summary>One pass over the data; returns the mean loss over its examples and the number of steps.</summary>
        public (double MeanLoss, long Steps) RunEpoch(CancellationToken cancellationToken = default)
        {
            if (_shuffle) _rng.Shuffle(_order.AsSpan());
            int batchSize = _net.BatchSize, inputSize = _net.InputSize, n = _order.Length;
            double lossSum = 0;
            long steps = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, n - start);
                for (int j = 0; j < count; j++)
                {
                    int index = _order[start + j];
                    _data.Features(index).CopyTo(_inputs.AsSpan(j * inputSize, inputSize));
                    _labels[j] = _data.Label(index);
                }
                float loss = _net.TrainBatch(_inputs.AsSpan(0, count * inputSize), _labels.AsSpan(0, count));
                lossSum += (double)loss * count;
                steps++;
            }
            return (lossSum / n, steps);
        }
    }

    /// <summary>Trains a compiled network for a number of epochs and reports each epoch.</summary>
    public static class Trainer
    {
        /// <summary>
        /// Runs <see cref="TrainingOptions.Epochs"/> epochs of mini-batch training of <paramref name="net"/> on
        /// <paramref name="train"/>, reporting each epoch to <paramref name="progress"/> (use <see cref="Progress.Sync{T}"/>
        /// in console programs: <see cref="Progress{T}"/> posts its reports to the thread pool, out of order with your output).
        /// </summary>
        public static TrainingResult Train<TNet>(TNet net, Dataset train, TrainingOptions options,
            IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
            where TNet : ITrainable
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be ≥ 0.");
            if (options.Evaluation is { } evaluation && evaluation.FeatureSize != net.InputSize)
                throw new ArgumentException($"The evaluation set has {evaluation.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(options));
            var trainer = new EpochTrainer<TNet>(net, train, options.Seed, options.Shuffle);
            var reports = new List<EpochReport>(options.Epochs);
            var schedule = options.Schedule ?? net.DeclaredSchedule;
            float initialRate = net.LearningRate;
            double total = 0;
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                if (schedule is not null) net.LearningRate = schedule.RateAt(epoch - 1, initialRate);
                float rate = net.LearningRate;
                long started = Stopwatch.GetTimestamp();
                var (loss, steps) = trainer.RunEpoch(cancellationToken);
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                total += seconds;
                Evaluation? result = options.Evaluation is null ? null : Evaluator.Evaluate(net, options.Evaluation);
                var report = new EpochReport(epoch, options.Epochs, loss, rate, seconds, steps, result?.Accuracy, result?.MeanLoss);
                reports.Add(report);
                progress?.Report(report);
            }
            return new TrainingResult(reports, total);
        }
    }

    /// <summary>Accuracy and mean loss of a network on a data set.</summary>
    public readonly record struct Evaluation(double Accuracy, double MeanLoss, int Count);

    /// <summary>Measures a network on a data set in inference mode.</summary>
    public static class Evaluator
    {
        /// <summary>Accuracy (share of examples whose <c>Classify</c> equals the label) and mean <c>Loss</c>; allocates nothing per example.</summary>
        public static Evaluation Evaluate(INetwork net, Dataset data)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            if (data.Count == 0) return new Evaluation(double.NaN, double.NaN, 0);
            int correct = 0;
            double loss = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var x = data.Features(i);
                int label = data.Label(i);
                if (net.Classify(x) == label) correct++;
                loss += net.Loss(x, label);
            }
            return new Evaluation((double)correct / data.Count, loss / data.Count, data.Count);
        }
    }

    /// <summary>Progress helpers.</summary>
    public static class Progress
    {
        /// <summary>An <see cref="IProgress{T}"/> that calls <paramref name="handler"/> synchronously, on the reporting thread.</summary>
        public static IProgress<T> Sync<T>(Action<T> handler) => new SyncProgress<T>(handler ?? throw new ArgumentNullException(nameof(handler)));

        private sealed class SyncProgress<T> : IProgress<T>
        {
            private readonly Action<T> _handler;

            public SyncProgress(Action<T> handler) => _handler = handler;

            public void Report(T value) => _handler(value);
        }
    }
}
