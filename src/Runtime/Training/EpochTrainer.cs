using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Threading;

using CompiledNet.CompilerServices;

namespace CompiledNet
{
    /// <summary>
    /// The epoch loop of mini-batch SGD over an in-memory data set: each epoch's order from a
    /// <see cref="BatchingStrategy"/> (by default a fresh seeded permutation), batches of the network's BatchSize
    /// gathered — and augmented, with an <see cref="ImageAugmentation"/> — into buffers allocated once, and the last
    /// partial batch passed with its real size. Classification data trains against its labels, regression data
    /// (<see cref="Dataset.IsRegression"/>) against its float targets (<see cref="ITrainable.TrainBatch(ReadOnlySpan{float}, ReadOnlySpan{float})"/>;
    /// meant for a network with a quadratic loss, whose <c>OutputSize</c> equals the data's <see cref="Dataset.TargetSize"/>).
    /// <see cref="RunEpoch"/> allocates nothing, also with <see cref="StepProgress"/> and with telemetry listeners
    /// (<see cref="TrainingTelemetry"/>).
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
        private readonly float[]? _targets;
        private readonly string _networkName;
        private double _lastFiniteLoss = double.NaN;
        private LossWatch _watch = new(100);

        /// <summary>
        /// Prepares training of <paramref name="net"/> on <paramref name="data"/> with batches from <paramref name="batching"/>
        /// (null: <see cref="BatchingStrategy.Shuffle"/>, a fresh permutation every epoch) and, if given, on-the-fly
        /// <paramref name="augmentation"/>; checks that they fit each other.
        /// </summary>
        public EpochTrainer(TNet net, Dataset data, long seed, BatchingStrategy? batching = null, ImageAugmentation? augmentation = null)
        {
            batching ??= BatchingStrategy.Shuffle;
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
            if (data.Count == 0) throw new ArgumentException("The data set is empty.", nameof(data));
            if (data.IsRegression && data.TargetSize != net.OutputSize)
                throw new ArgumentException($"The data set has {data.TargetSize} targets per example, but the network has {net.OutputSize} outputs.", nameof(data));
            if (!data.IsRegression && data.ClassCount > classes)
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
            _augmenter = augmentation?.CreateAugmenter(data, net);   // a convolutional network declares its image shape
            _seed = seed;
            _rng = new Rng(seed);
            _augmentationRng = new Rng(seed);
            _order = new int[_sampler.MaxEpochLength];
            _inputs = new float[net.BatchSize * net.InputSize];
            _labels = new int[data.IsRegression ? 0 : net.BatchSize];
            _targets = data.IsRegression ? new float[net.BatchSize * net.OutputSize] : null;
            _networkName = net.GetType().Name;
        }

        /// <summary>
        /// Receives a <see cref="StepReport"/> every <see cref="StepProgressInterval"/> steps of an epoch and at its last
        /// step, on the training thread; null (the default) for none. Use <see cref="SynchronousProgress{T}"/> (or your
        /// own <see cref="IProgress{T}"/>): <see cref="Progress{T}"/> posts every report to the thread pool, which allocates.
        /// </summary>
        public IProgress<StepReport>? StepProgress { get; set; }

        /// <summary>Steps between two <see cref="StepProgress"/> reports (default 100; must be positive).</summary>
        public int StepProgressInterval
        {
            get => _stepProgressInterval;
            set
            {
                if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The step progress interval must be at least 1.");
                _stepProgressInterval = value;
            }
        }

        private int _stepProgressInterval = 100;

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
            int batchSize = _net.BatchSize, inputSize = _net.InputSize, outputSize = _net.OutputSize;
            double lossSum = 0;
            long steps = 0, stepsInEpoch = (n + batchSize - 1) / batchSize;
            var networkTag = TrainingTelemetry.NetworkTag(_networkName);
            for (int start = 0; start < n; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long stepStarted = TrainingTelemetry.StepDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
                int count = Math.Min(batchSize, n - start);
                for (int j = 0; j < count; j++)
                {
                    int index = _order[start + j];
                    if ((uint)index >= (uint)_data.Count)
                        throw new InvalidOperationException($"The batch sampler returned example index {index}; the data set has {_data.Count} examples.");
                    if (_augmenter is null) _data.Features(index).CopyTo(_inputs.AsSpan(j * inputSize, inputSize));
                    else _augmenter.Apply(_data.Features(index), _inputs.AsSpan(j * inputSize, inputSize), _augmentationRng);
                    if (_targets is null) _labels[j] = _data.Label(index);
                    else _data.Targets(index).CopyTo(_targets.AsSpan(j * outputSize, outputSize));
                }
                var inputs = _inputs.AsSpan(0, count * inputSize);
                if (PrefetchNextBatch) PrefetchRows(start + batchSize, Math.Min(batchSize, n - start - batchSize));
                float loss;
                Monitor?.BeforeStep();
                if (MaxGradientNorm is float max)
                {
                    loss = _targets is null
                        ? _net.ComputeGradients(inputs, _labels.AsSpan(0, count))
                        : _net.ComputeGradients(inputs, _targets.AsSpan(0, count * outputSize));
                    GradientClipping.ClipByNorm(_net.Gradients, max);
                    _net.ApplyGradients();
                }
                else
                    loss = _targets is null
                        ? _net.TrainBatch(inputs, _labels.AsSpan(0, count))
                        : _net.TrainBatch(inputs, _targets.AsSpan(0, count * outputSize));
                Monitor?.AfterStep(count);
                if (!float.IsFinite(loss)) throw Diverged($"the batch loss is {loss}");
                if (ParameterCheckInterval > 0 && (steps + 1) % ParameterCheckInterval == 0 && !_net.LastStepFinite)
                    throw Diverged("a parameter became non-finite" + (ParameterCheckInterval == 1 ? " in this step" : $" within the last {ParameterCheckInterval} steps"));
                if (_watch.Observe(loss) is string exploded) throw Diverged(exploded);
                _lastFiniteLoss = loss;
                lossSum += (double)loss * count;
                steps++;
                if (stepStarted != 0) TrainingTelemetry.StepDuration.Record(Stopwatch.GetElapsedTime(stepStarted).TotalSeconds, networkTag);
                if (TrainingTelemetry.Steps.Enabled) TrainingTelemetry.Steps.Add(1, networkTag);
                if (StepProgress is { } stepProgress && (steps % _stepProgressInterval == 0 || steps == stepsInEpoch))
                    stepProgress.Report(new StepReport
                    {
                        Epoch = Epoch,
                        Step = steps,
                        StepsInEpoch = stepsInEpoch,
                        Examples = start + count,
                        ExamplesInEpoch = n,
                        BatchLoss = loss,
                        MeanLoss = lossSum / (start + count),
                        LearningRate = _net.LearningRate,
                    });
            }
            if (!Kernels.AllFinite(_net.Parameters)) throw Diverged("a parameter became non-finite in this epoch");
            Epoch++;
            return (lossSum / n, steps);
        }

        /// <summary>Whether each step first asks for the next batch's rows (<see cref="PrefetchRows"/>); off only to measure what it saves.</summary>
        internal static bool PrefetchNextBatch = true;

        /// <summary>
        /// Asks the CPU to bring the next batch's rows towards its L2 cache while this step computes (x86 only: .NET has
        /// no portable prefetch instruction). Their gather before the next step then waits less on memory for each
        /// randomly placed row: network A's one-thread epoch on Fashion-MNIST took 2.7–6% less in three alternating runs
        /// (Zen 5; B's was unchanged). A hint to the CPU: it changes no result.
        /// </summary>
        private unsafe void PrefetchRows(int start, int count)
        {
            if (!Sse.IsSupported || count <= 0) return;
            for (int j = 0; j < count; j++)
            {
                int index = _order[start + j];
                if ((uint)index >= (uint)_data.Count) return; // the gather reports it
                var row = _data.Features(index);
                byte* first = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(row));
                for (int offset = 0; offset < row.Length * sizeof(float); offset += 64)
                    Sse.Prefetch1(first + offset);
            }
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
    }
}
