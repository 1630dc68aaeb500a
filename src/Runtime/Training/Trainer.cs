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

        /// <summary>Draw a fresh permutation every epoch (default); false keeps the data set's order. Ignored when <see cref="Batching"/> is set.</summary>
        public bool Shuffle { get; init; } = true;

        /// <summary>
        /// How epochs are cut into batches: <see cref="BatchingStrategy.Shuffle"/>, <see cref="BatchingStrategy.ClassBalanced"/>,
        /// <see cref="BatchingStrategy.Curriculum"/>, … Null (the default) follows <see cref="Shuffle"/>. Every strategy draws
        /// from the run's seeded shuffle generator, so runs repeat and resume bit-identically.
        /// </summary>
        public BatchingStrategy? Batching { get; init; }

        /// <summary>
        /// Image augmentation applied to each example as its batch is assembled (random shifts and rotations; the data
        /// set is not changed), or null (the default) for none. Its randomness comes from a generator derived from
        /// <see cref="Seed"/> and the epoch number, so it does not change the batches, and resumed runs repeat it.
        /// </summary>
        public ImageAugmentation? Augmentation { get; init; }

        /// <summary>A data set evaluated after every epoch (accuracy and mean loss), or null for none.</summary>
        public Dataset? Evaluation { get; init; }

        /// <summary>
        /// A validation set evaluated after every epoch (see <see cref="Dataset.StratifiedSplit"/>); early stopping
        /// watches its loss. Null for none.
        /// </summary>
        public Dataset? Validation { get; init; }

        /// <summary>
        /// Early stopping: stop when the validation loss has not improved for this many epochs, and restore the
        /// parameters (and all other state) of the best epoch. Needs <see cref="Validation"/>. Null (default) = off.
        /// </summary>
        public int? EarlyStoppingPatience { get; init; }

        /// <summary>
        /// The learning-rate schedule, applied before every epoch from the rate the network has when training starts.
        /// Null (the default) uses the schedule declared on the network (<c>[Optimizer(…, Decay = …)]</c>), if any;
        /// otherwise the rate stays as it is.
        /// </summary>
        public LearningRateSchedule? Schedule { get; init; }

        /// <summary>
        /// Gradient-norm clipping: when the L2 norm of the whole gradient exceeds this, the gradient is scaled down to it
        /// before the optimizer step. Null (the default) turns clipping off.
        /// </summary>
        public float? MaxGradientNorm { get; init; }

        /// <summary>
        /// Steps between two checks that every parameter is finite (the loss is checked every step), through
        /// <see cref="ITrainable.LastStepFinite"/>. 1, the default, stops at the very step that produced a NaN or infinity.
        /// Generated networks test each parameter as their optimizer step writes it, so the check costs nothing and
        /// there is no reason to change this; for another <see cref="ITrainable"/> the check scans the whole parameter
        /// buffer, and a larger interval trades detection latency for speed (a step in between is not looked at).
        /// 0 checks only at the end of each epoch (by a scan of the parameters, as every epoch ends).
        /// </summary>
        public int ParameterCheckInterval { get; init; } = 1;

        /// <summary>
        /// The training health monitor (saturation, dead units, gradient flow per layer; see <see cref="HealthMonitor"/>),
        /// or null (the default) for none. Each <see cref="EpochReport.Health"/> then carries the epoch's statistics and
        /// warnings. Needs a generated network (<see cref="IInspectable"/>).
        /// </summary>
        public HealthOptions? Health { get; init; }

        /// <summary>
        /// Divergence by explosion: training stops (or rolls back, with <see cref="DivergencePolicy.RollBack"/>) when the
        /// batch loss, smoothed over about the last 10 steps (exponential moving average, weight 0.1 for the newest),
        /// exceeds this factor times its lowest value so far in the run and also exceeds the run's first batch loss.
        /// Default 100: a loss a hundred times its best and worse than the untrained network's is no longer training.
        /// Null turns the check off (NaN and infinity are always caught).
        /// </summary>
        public double? LossExplosionFactor { get; init; } = 100;

        /// <summary>
        /// What to do when training diverges: the loss or a parameter becomes NaN or infinite, or the loss explodes
        /// (<see cref="LossExplosionFactor"/>). Default: restore the network to the start of the epoch and stop with a
        /// <see cref="TrainingDivergedException"/>.
        /// </summary>
        public DivergencePolicy Divergence { get; init; } = DivergencePolicy.Stop;

        /// <summary>With <see cref="DivergencePolicy.RollBack"/>: the factor applied to the learning rate at each roll-back (default 0.5).</summary>
        public float RollBackRateFactor { get; init; } = 0.5f;

        /// <summary>With <see cref="DivergencePolicy.RollBack"/>: roll-backs allowed in one run before training stops (default 3).</summary>
        public int MaxRollBacks { get; init; } = 3;

        /// <summary>
        /// When set, a checkpoint (network state, epoch and shuffle generator) is saved atomically to this path after
        /// every <see cref="CheckpointEvery"/> epochs; <see cref="Trainer.Resume{TNet}"/> continues from it bit-identically.
        /// The network must be an <see cref="ICheckpointable"/> (every generated network is).
        /// </summary>
        public string? CheckpointPath { get; init; }

        /// <summary>Epochs between checkpoints (default 1).</summary>
        public int CheckpointEvery { get; init; } = 1;
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
    /// <param name="RollBacks">How often this epoch was rolled back and rerun at a lower rate after diverging.</param>
    /// <param name="ValidationAccuracy">Accuracy on <see cref="TrainingOptions.Validation"/>, if set.</param>
    /// <param name="ValidationLoss">Mean loss on <see cref="TrainingOptions.Validation"/>, if set.</param>
    /// <param name="Health">The health monitor's per-layer statistics and warnings for this epoch, with <see cref="TrainingOptions.Health"/>.</param>
    public readonly record struct EpochReport(
        int Epoch, int Epochs, double TrainLoss, float LearningRate, double Seconds, long Steps, double? TestAccuracy, double? TestLoss,
        int RollBacks = 0, double? ValidationAccuracy = null, double? ValidationLoss = null, HealthReport? Health = null);

    /// <summary>The reports of a run, its total training time (evaluation excluded), and where early stopping ended it.</summary>
    /// <param name="Epochs">One report per epoch run.</param>
    /// <param name="TotalSeconds">Training time of all epochs.</param>
    /// <param name="BestEpoch">With early stopping: the epoch whose state was restored; otherwise the last epoch.</param>
    /// <param name="StoppedEarly">True when early stopping ended the run before its last epoch.</param>
    public sealed record TrainingResult(IReadOnlyList<EpochReport> Epochs, double TotalSeconds, int BestEpoch = 0, bool StoppedEarly = false)
    {
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

    /// <summary>
    /// The epoch loop of mini-batch SGD over an in-memory data set: each epoch's order from a
    /// <see cref="BatchingStrategy"/> (by default a fresh seeded permutation), batches of the network's BatchSize
    /// gathered — and augmented, with an <see cref="ImageAugmentation"/> — into buffers allocated once, and the last
    /// partial batch passed with its real size. <see cref="RunEpoch"/> allocates nothing.
    /// </summary>
    public sealed class EpochTrainer<TNet> where TNet : ITrainable
    {
        private readonly TNet _net;
        private readonly Dataset _data;
        private readonly BatchSampler _sampler;
        private readonly ImageAugmenter? _augmenter;
        private readonly Rng _rng, _augmentationRng;
        private readonly long _seed;
        private readonly int[] _order;
        private int _epochLength, _epochsRun;
        private readonly float[] _inputs;
        private readonly int[] _labels;
        private double _lastFiniteLoss = double.NaN;
        private LossWatch _watch = new(100);

        /// <summary>Prepares training of <paramref name="net"/> on <paramref name="data"/>; checks that they fit each other.</summary>
        public EpochTrainer(TNet net, Dataset data, long seed, bool shuffle = true)
            : this(net, data, seed, shuffle ? BatchingStrategy.Shuffle : BatchingStrategy.Sequential)
        {
        }

        /// <summary>
        /// Prepares training of <paramref name="net"/> on <paramref name="data"/> with batches from <paramref name="batching"/>
        /// and, if given, on-the-fly <paramref name="augmentation"/>; checks that they fit each other.
        /// </summary>
        public EpochTrainer(TNet net, Dataset data, long seed, BatchingStrategy batching, ImageAugmentation? augmentation = null)
        {
            ArgumentNullException.ThrowIfNull(batching);
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
            if (data.Count == 0) throw new ArgumentException("The data set is empty.", nameof(data));
            if (data.ClassCount > classes)
            {
                var labels = data.Labels;
                for (int i = 0; i < labels.Length; i++)
                    if (labels[i] >= classes)
                        throw new ArgumentException($"Example {i} of the data set has label {labels[i]}, but the network's labels lie in [0, {classes}) (the data set has {data.ClassCount} classes).", nameof(data));
                throw new ArgumentException($"The data set has {data.ClassCount} classes, but the network's labels lie in [0, {classes}).", nameof(data));
            }
            // The data set checked its values when it was built; its array may have been changed since. One pass per run.
            int bad = Kernels.FirstNonFinite(data.AllFeatures);
            if (bad >= 0)
                throw new ArgumentException(
                    $"Example {bad / data.FeatureSize} of the data set has feature {bad % data.FeatureSize} = {data.AllFeatures[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                    "a NaN or infinite input would turn the parameters it trains into NaN.", nameof(data));
            _net = net;
            _data = data;
            _sampler = batching.CreateSampler(data, net.BatchSize);
            _augmenter = augmentation?.CreateAugmenter(data);
            _seed = seed;
            _rng = new Rng(seed);
            _augmentationRng = new Rng(seed);
            _order = new int[_sampler.MaxEpochLength];
            _inputs = new float[net.BatchSize * net.InputSize];
            _labels = new int[net.BatchSize];
        }

        /// <summary>Gradient-norm clipping threshold, or null; see <see cref="TrainingOptions.MaxGradientNorm"/>.</summary>
        public float? MaxGradientNorm { get; set; }

        /// <summary>A health monitor told about every step, or null; see <see cref="HealthMonitor"/>.</summary>
        public HealthMonitor? Monitor { get; set; }

        /// <summary>The loss-explosion factor, or null for no check; see <see cref="TrainingOptions.LossExplosionFactor"/>. Default 100.</summary>
        public double? LossExplosionFactor
        {
            get => _watch.Factor;
            set
            {
                if (value is double f && !(f > 1)) throw new ArgumentOutOfRangeException(nameof(value), value, "The loss-explosion factor must be greater than 1 (or null for none).");
                _watch = new LossWatch(value) { State = _watch.State };
            }
        }

        /// <summary>The loss watch's state, for roll-back snapshots and checkpoints.</summary>
        internal LossWatchState WatchState
        {
            get => _watch.State;
            set => _watch.State = value;
        }

        /// <summary>Steps between parameter finiteness checks (0: only at the end of the epoch); see <see cref="TrainingOptions.ParameterCheckInterval"/>.</summary>
        public int ParameterCheckInterval { get; set; } = 1;

        /// <summary>
        /// The number (1-based) of the next epoch <see cref="RunEpoch"/> runs: it picks the curriculum's stage and the
        /// augmentation's generator, and appears in divergence messages. Advances by one after each epoch;
        /// <see cref="Trainer"/> sets it before every epoch (also when resuming).
        /// </summary>
        public int Epoch { get; set; } = 1;

        /// <summary>The order in which the last epoch visited the examples (its length is the epoch's number of examples).</summary>
        public ReadOnlySpan<int> Order => _order.AsSpan(0, _epochsRun > 0 ? _epochLength : 0);

        /// <summary>The shuffle generator's state: saved in checkpoints so a resumed run draws the same permutations.</summary>
        public RngState ShuffleState
        {
            get => _rng.State;
            set => _rng.State = value;
        }

        /// <summary>
        /// One pass over the data; returns the mean loss over its examples and the number of steps. Each epoch's order
        /// is drawn by the batching strategy from the shuffle generator alone, and the augmentation generator is
        /// derived from the seed and <see cref="Epoch"/>, so the shuffle generator's state at an epoch boundary is all
        /// a checkpoint needs to continue with the same batches.
        /// </summary>
        public (double MeanLoss, long Steps) RunEpoch(CancellationToken cancellationToken = default)
        {
            int n = _sampler.NextEpoch(Epoch - 1, _order, _rng, _net);
            if (n <= 0 || n > _order.Length)
                throw new InvalidOperationException($"The batch sampler returned an epoch of {n} examples; expected 1 to {_order.Length}.");
            _epochLength = n;
            _epochsRun++;
            if (_augmenter is not null) _augmentationRng.State = AugmentationState(_seed, Epoch);
            int batchSize = _net.BatchSize, inputSize = _net.InputSize;
            double lossSum = 0;
            long steps = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, n - start);
                for (int j = 0; j < count; j++)
                {
                    int index = _order[start + j];
                    if ((uint)index >= (uint)_data.Count)
                        throw new InvalidOperationException($"The batch sampler returned example index {index}; the data set has {_data.Count} examples.");
                    if (_augmenter is null) _data.Features(index).CopyTo(_inputs.AsSpan(j * inputSize, inputSize));
                    else _augmenter.Apply(_data.Features(index), _inputs.AsSpan(j * inputSize, inputSize), _augmentationRng);
                    _labels[j] = _data.Label(index);
                }
                var inputs = _inputs.AsSpan(0, count * inputSize);
                var labels = _labels.AsSpan(0, count);
                float loss;
                Monitor?.BeforeStep();
                if (MaxGradientNorm is float max)
                {
                    loss = _net.ComputeGradients(inputs, labels);
                    ClipGradient(_net.Gradients, max);
                    _net.ApplyGradients();
                }
                else
                    loss = _net.TrainBatch(inputs, labels);
                Monitor?.AfterStep(count);
                if (!float.IsFinite(loss)) throw Diverged($"the batch loss is {loss}");
                if (ParameterCheckInterval > 0 && (steps + 1) % ParameterCheckInterval == 0 && !_net.LastStepFinite)
                    throw Diverged("a parameter became non-finite" + (ParameterCheckInterval == 1 ? " in this step" : $" within the last {ParameterCheckInterval} steps"));
                if (_watch.Observe(loss) is string exploded) throw Diverged(exploded);
                _lastFiniteLoss = loss;
                lossSum += (double)loss * count;
                steps++;
            }
            if (!Kernels.AllFinite(_net.Parameters)) throw Diverged("a parameter became non-finite in this epoch");
            Epoch++;
            return (lossSum / n, steps);
        }

        /// <summary>
        /// The augmentation generator's state for an epoch: SplitMix64 of the seed and the epoch, so an epoch's
        /// augmentations depend on nothing a checkpoint would have to save.
        /// </summary>
        private static RngState AugmentationState(long seed, int epoch)
        {
            ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)epoch * 0xD1B54A32D192ED03UL ^ 0x41554D454E54UL);
            ulong a = SplitMix(ref z), b = SplitMix(ref z);
            var state = new RngState((uint)a, (uint)(a >> 32), (uint)b, (uint)(b >> 32), 0f, false);
            return (state.S0 | state.S1 | state.S2 | state.S3) == 0 ? state with { S0 = 1 } : state;

            static ulong SplitMix(ref ulong x)
            {
                ulong r = unchecked(x += 0x9E3779B97F4A7C15UL);
                r = unchecked((r ^ (r >> 30)) * 0xBF58476D1CE4E5B9UL);
                r = unchecked((r ^ (r >> 27)) * 0x94D049BB133111EBUL);
                return r ^ (r >> 31);
            }
        }

        private TrainingDivergedException Diverged(string what)
        {
            string where = what;
            var parameters = _net.Parameters;
            var gradients = _net.Gradients;
            int largest = -1;
            for (int j = 0; j < parameters.Length; j++)
            {
                if (!float.IsFinite(parameters[j])) { where = $"{what}; first non-finite parameter: {_net.DescribeParameter(j)} = {parameters[j]}"; largest = -2; break; }
                if (!float.IsFinite(gradients[j])) { where = $"{what}; first non-finite gradient: {_net.DescribeParameter(j)}"; largest = -2; break; }
                if (largest < 0 || MathF.Abs(parameters[j]) > MathF.Abs(parameters[largest])) largest = j;
            }
            if (largest >= 0)
                where = $"{what}; the largest parameter is {_net.DescribeParameter(largest)} = {parameters[largest].ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}";
            return new TrainingDivergedException(Epoch, _net.Step, _lastFiniteLoss, where, _net.LearningRate);
        }

        /// <summary>Scales <paramref name="gradient"/> so its L2 norm is at most <paramref name="max"/>.</summary>
        public static void ClipGradient(Span<float> gradient, float max)
        {
            double squares = 0;
            foreach (float g in gradient) squares += (double)g * g;
            double norm = Math.Sqrt(squares);
            if (norm <= max || norm == 0) return;
            float scale = (float)(max / norm);
            for (int j = 0; j < gradient.Length; j++) gradient[j] *= scale;
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
            where TNet : ICheckpointable
        {
            var header = Checkpoint.ReadInfo(checkpointPath);
            if (header.Epoch < 0 || header.ShuffleState is null)
                throw new ArgumentException($"{checkpointPath} was not saved by the training loop (it records no epoch and shuffle state), so a run cannot resume from it.", nameof(checkpointPath));
            if (header.FormatVersion < 2)
                throw new ArgumentException(
                    $"{checkpointPath} has checkpoint format version {header.FormatVersion}, which does not record the learning rate and the training loop's state (schedule, roll-backs), " +
                    "so a resumed run could differ from an uninterrupted one. Checkpoint.Load still reads the network from it.", nameof(checkpointPath));
            var info = Checkpoint.Load(net, checkpointPath);
            return Run(net, train, options, progress, cancellationToken, info.Epoch + 1, info.ShuffleState, info.Loop);
        }

        private static TrainingResult Run<TNet>(TNet net, Dataset train, TrainingOptions options,
            IProgress<EpochReport>? progress, CancellationToken cancellationToken, int firstEpoch, RngState? shuffleState, TrainingLoopState? loop)
            where TNet : ITrainable
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be ≥ 0.");
            if (options.Evaluation is { } evaluation && evaluation.FeatureSize != net.InputSize)
                throw new ArgumentException($"The evaluation set has {evaluation.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(options));
            if (options.CheckpointPath is not null && net is not ICheckpointable)
                throw new ArgumentException("CheckpointPath needs a network that implements ICheckpointable.", nameof(options));
            var batching = options.Batching ?? (options.Shuffle ? BatchingStrategy.Shuffle : BatchingStrategy.Sequential);
            var trainer = new EpochTrainer<TNet>(net, train, options.Seed, batching, options.Augmentation)
            {
                MaxGradientNorm = options.MaxGradientNorm,
                ParameterCheckInterval = options.ParameterCheckInterval,
                LossExplosionFactor = options.LossExplosionFactor,
            };
            if (shuffleState is RngState state) trainer.ShuffleState = state;
            if (options.Health is not null)
            {
                if (net is not IInspectable inspectable)
                    throw new ArgumentException("The health monitor (TrainingOptions.Health) reads a generated network's activations: the network must implement IInspectable.", nameof(options));
                trainer.Monitor = new HealthMonitor(inspectable, options.Health);
            }
            if (options.EarlyStoppingPatience is not null && options.Validation is null)
                throw new ArgumentException("Early stopping watches the validation loss: set TrainingOptions.Validation.", nameof(options));
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
                            throw ex.Restored();
                        }
                        // Documented policy: restore the epoch's starting state and retry at a lower rate.
                        rollBacksLeft--;
                        rollBacks++;
                        initialRate *= options.RollBackRateFactor;
                        net.LearningRate *= options.RollBackRateFactor;
                    }
                }
                float rate = net.LearningRate;
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                total += seconds;
                Evaluation? result = options.Evaluation is null ? null : Evaluator.Evaluate(net, options.Evaluation);
                Evaluation? validation = options.Validation is null ? null : Evaluator.Evaluate(net, options.Validation);
                var report = new EpochReport(epoch, options.Epochs, loss, rate, seconds, steps, result?.Accuracy, result?.MeanLoss, rollBacks,
                    validation?.Accuracy, validation?.MeanLoss, trainer.Monitor?.EndWindow(epoch));
                reports.Add(report);
                bool stop = false;
                if (best is not null && validation is Evaluation v)
                {
                    if (v.MeanLoss < bestLoss)
                    {
                        bestLoss = v.MeanLoss;
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
                    Checkpoint.Save((ICheckpointable)net, options.CheckpointPath, epoch, trainer.ShuffleState, loopState, static s => s);
                }
                progress?.Report(report);
                if (stop) break;
            }
            if (best is not null && bestEpoch > 0 && bestEpoch != (reports.Count > 0 ? reports[^1].Epoch : 0)) best.Restore();
            return new TrainingResult(reports, total, best is not null && bestEpoch > 0 ? bestEpoch : (reports.Count > 0 ? reports[^1].Epoch : 0), stoppedEarly);
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

    /// <summary>An in-memory copy of a network's trainable state, for rolling back an epoch and for early stopping's best epoch.</summary>
    internal sealed class StateSnapshot
    {
        private readonly ITrainable _net;
        private readonly float[] _parameters, _state, _statistics;
        private long _step;
        private RngState? _masks;

        public StateSnapshot(ITrainable net)
        {
            _net = net;
            _parameters = new float[net.Parameters.Length];
            _state = new float[net.OptimizerState.Length];
            _statistics = new float[(net as ICheckpointable)?.BatchNormStatistics.Length ?? 0];
        }

        /// <summary>The learning rate when the state was captured.</summary>
        public float LearningRate { get; private set; }

        public void Capture()
        {
            _net.Parameters.CopyTo(_parameters);
            _net.OptimizerState.CopyTo(_state);
            _step = _net.Step;
            LearningRate = _net.LearningRate;
            if (_net is ICheckpointable c)
            {
                c.BatchNormStatistics.CopyTo(_statistics);
                _masks = c.MaskGeneratorState;
            }
        }

        public void Restore()
        {
            _parameters.CopyTo(_net.Parameters);
            _state.CopyTo(_net.OptimizerState);
            if (_net is ICheckpointable c)
            {
                _statistics.CopyTo(c.BatchNormStatistics);
                c.RestoreStep(_step);
                if (_masks is not null) c.MaskGeneratorState = _masks;
            }
        }

        public NetworkState Export() => new((float[])_parameters.Clone(), (float[])_state.Clone(), (float[])_statistics.Clone(), _step, _masks);

        public void Import(NetworkState state)
        {
            state.Parameters.CopyTo(_parameters, 0);
            state.OptimizerState.CopyTo(_state, 0);
            state.Statistics.CopyTo(_statistics, 0);
            _step = state.Step;
            _masks = state.Masks;
        }
    }
}
