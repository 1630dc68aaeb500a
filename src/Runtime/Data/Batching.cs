using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>
    /// How a training run turns a data set into mini-batches: which examples an epoch visits, how often, and in what
    /// order. The batches are consecutive runs of <c>BatchSize</c> entries of the epoch's order (the last one may be
    /// shorter). Every strategy draws its randomness from the training loop's seeded shuffle generator only, so the
    /// same seed gives the same batches, and a checkpoint (which saves that generator) resumes bit-identically.
    /// Set it with <see cref="TrainingOptions.Batching"/>.
    /// </summary>
    public abstract class BatchingStrategy
    {
        /// <summary>The data set's own order every epoch (what <c>TrainingOptions.Shuffle = false</c> gives).</summary>
        public static BatchingStrategy Sequential { get; } = new SequentialBatches();

        /// <summary>A fresh uniformly random permutation every epoch: every example exactly once per epoch (the default).</summary>
        public static BatchingStrategy Shuffle { get; } = new ShuffledBatches();

        /// <summary>Class-balanced batches; see <see cref="ClassBalancedBatches"/> for the policies.</summary>
        public static BatchingStrategy ClassBalanced(ClassBalancePolicy policy = ClassBalancePolicy.Oversample) => new ClassBalancedBatches(policy);

        /// <summary>A curriculum ordered by a difficulty score per example (lower is easier); see <see cref="CurriculumBatches"/>.</summary>
        public static BatchingStrategy Curriculum(float[] difficulty, int stages = 4, int epochsPerStage = 1)
            => new CurriculumBatches(difficulty, stages, epochsPerStage);

        /// <summary>A curriculum ordered by each example's loss under the current network, measured before every epoch; see <see cref="CurriculumBatches"/>.</summary>
        public static BatchingStrategy CurriculumByLoss(int stages = 4, int epochsPerStage = 1)
            => new CurriculumBatches(null, stages, epochsPerStage);

        /// <summary>A short description, e.g. "class-balanced (oversample)".</summary>
        public abstract string Name { get; }

        /// <summary>
        /// Creates the per-run state for <paramref name="data"/> and batches of <paramref name="batchSize"/>: all
        /// buffers are allocated here, so drawing an epoch's order allocates nothing. Checks that the strategy fits
        /// the data (for example, a difficulty score with one value per example).
        /// </summary>
        public abstract BatchSampler CreateSampler(Dataset data, int batchSize);

        /// <inheritdoc/>
        public override string ToString() => Name;
    }

    /// <summary>The per-run state of a <see cref="BatchingStrategy"/>: draws each epoch's order of example indices.</summary>
    public abstract class BatchSampler
    {
        /// <summary>The longest order any epoch can have (the size of the buffer the training loop allocates once).</summary>
        public abstract int MaxEpochLength { get; }

        /// <summary>
        /// Writes epoch <paramref name="epoch"/>'s (0-based, counted from the start of the run) order of example
        /// indices into <paramref name="order"/> (at least <see cref="MaxEpochLength"/> long) and returns its length.
        /// Randomness comes only from <paramref name="rng"/>; <paramref name="network"/> is the network being trained
        /// (a loss-based curriculum measures it). Allocates nothing.
        /// </summary>
        public abstract int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network);

        /// <summary>Throws when <paramref name="order"/> is shorter than <see cref="MaxEpochLength"/>.</summary>
        protected void CheckOrderLength(Span<int> order)
        {
            if (order.Length < MaxEpochLength)
                throw new ArgumentException($"The order buffer has {order.Length} entries; this sampler needs {MaxEpochLength}.", nameof(order));
        }
    }

    /// <summary>Every example once per epoch, in the data set's order.</summary>
    public sealed class SequentialBatches : BatchingStrategy
    {
        /// <inheritdoc/>
        public override string Name => "sequential";

        /// <inheritdoc/>
        public override BatchSampler CreateSampler(Dataset data, int batchSize)
        {
            ArgumentNullException.ThrowIfNull(data);
            return new Sampler(data.Count);
        }

        private sealed class Sampler(int count) : BatchSampler
        {
            public override int MaxEpochLength => count;

            public override int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network)
            {
                CheckOrderLength(order);
                for (int i = 0; i < count; i++) order[i] = i;
                return count;
            }
        }
    }

    /// <summary>
    /// Every example exactly once per epoch, in a fresh permutation each epoch: the identity order shuffled by
    /// Fisher–Yates with the run's generator (so the permutation of an epoch depends only on the generator's state
    /// at its start).
    /// </summary>
    public sealed class ShuffledBatches : BatchingStrategy
    {
        /// <inheritdoc/>
        public override string Name => "shuffle";

        /// <inheritdoc/>
        public override BatchSampler CreateSampler(Dataset data, int batchSize)
        {
            ArgumentNullException.ThrowIfNull(data);
            return new Sampler(data.Count);
        }

        private sealed class Sampler(int count) : BatchSampler
        {
            public override int MaxEpochLength => count;

            public override int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network)
            {
                CheckOrderLength(order);
                var span = order[..count];
                for (int i = 0; i < count; i++) span[i] = i;
                rng.Shuffle(span);
                return count;
            }
        }
    }

    /// <summary>What a class-balanced epoch does when the classes have different sizes.</summary>
    public enum ClassBalancePolicy
    {
        /// <summary>
        /// Every class contributes as many examples as the largest class has: the largest class's examples appear
        /// exactly once each, a smaller class's examples are repeated (each ⌊M/n⌋ or ⌈M/n⌉ times, a fresh random
        /// choice of which get the extra repeat every epoch). The epoch has k·M examples. Nothing is left out.
        /// </summary>
        Oversample,

        /// <summary>
        /// Every class contributes as many examples as the smallest class has (m): a larger class's m are drawn
        /// afresh without replacement every epoch, so over several epochs all of its examples take part. The epoch
        /// has k·m examples (shorter).
        /// </summary>
        Undersample,

        /// <summary>
        /// The epoch keeps the data set's size N and each class gets N/k slots (±1): larger classes are undersampled,
        /// smaller ones oversampled, each class's examples taken from fresh random permutations — the same as drawing
        /// the class of each slot with equal weights, but exact per batch.
        /// </summary>
        EqualShare,
    }

    /// <summary>
    /// Class-balanced batches: in every batch each class (that has examples) occurs ⌊B/k⌋ or ⌈B/k⌉ times for a batch
    /// of B and k classes — counts differ by at most one — also in the last, shorter batch; with B &lt; k each batch
    /// holds B different classes. Which classes get the ⌈B/k⌉ slots rotates through fresh random permutations of the
    /// classes, so over an epoch every class gets the same number of slots (±1 for <see cref="ClassBalancePolicy.EqualShare"/>).
    /// How unequal class sizes are handled is the <see cref="Policy"/>. On balanced data every policy visits every
    /// example exactly once per epoch. Classes without examples are left out.
    /// </summary>
    public sealed class ClassBalancedBatches : BatchingStrategy
    {
        /// <summary>Balanced batches with the given policy for unequal classes.</summary>
        public ClassBalancedBatches(ClassBalancePolicy policy = ClassBalancePolicy.Oversample)
        {
            if (!Enum.IsDefined(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a ClassBalancePolicy value.");
            Policy = policy;
        }

        /// <summary>What happens to the majority and minority classes.</summary>
        public ClassBalancePolicy Policy { get; }

        /// <inheritdoc/>
        public override string Name => Policy switch
        {
            ClassBalancePolicy.Oversample => "class-balanced (oversample)",
            ClassBalancePolicy.Undersample => "class-balanced (undersample)",
            _ => "class-balanced (equal share)",
        };

        /// <inheritdoc/>
        public override BatchSampler CreateSampler(Dataset data, int batchSize)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
            if (data.Count == 0) throw new ArgumentException("The data set is empty.", nameof(data));
            return new Sampler(data, batchSize, Policy);
        }

        private sealed class Sampler : BatchSampler
        {
            private readonly int _batchSize;
            private readonly ClassBalancePolicy _policy;
            private readonly int[][] _classMembers; // example indices of each non-empty class, in the data set's order
            private readonly int[][] _members;      // the same, permuted during an epoch
            private readonly int[] _cursor;        // next unused position in the class's current permutation
            private readonly int[] _classes;       // the stream of classes that get the extra slot: permutations of 0..k-1
            private readonly int[] _count;         // per class, slots in the batch being built
            private int _classCursor;
            private readonly int _quota;           // examples per class per epoch (Oversample, Undersample)
            private readonly int _length;

            public Sampler(Dataset data, int batchSize, ClassBalancePolicy policy)
            {
                _batchSize = batchSize;
                _policy = policy;
                var perClass = new int[data.ClassCount];
                foreach (int label in data.Labels) perClass[label]++;
                var members = new List<int[]>();
                var fill = new int[data.ClassCount][];
                for (int c = 0; c < data.ClassCount; c++)
                    if (perClass[c] > 0) { fill[c] = new int[perClass[c]]; members.Add(fill[c]); }
                var next = new int[data.ClassCount];
                var labels = data.Labels;
                for (int i = 0; i < labels.Length; i++) fill[labels[i]][next[labels[i]]++] = i;
                _classMembers = members.ToArray();
                _members = new int[_classMembers.Length][];
                for (int c = 0; c < _members.Length; c++) _members[c] = (int[])_classMembers[c].Clone();
                int k = _members.Length, smallest = int.MaxValue, largest = 0;
                foreach (var m in _members) { smallest = Math.Min(smallest, m.Length); largest = Math.Max(largest, m.Length); }
                _quota = policy switch { ClassBalancePolicy.Oversample => largest, ClassBalancePolicy.Undersample => smallest, _ => 0 };
                _length = policy == ClassBalancePolicy.EqualShare ? data.Count : checked(k * _quota);
                _cursor = new int[k];
                _classes = new int[k];
                _count = new int[k];
            }

            public override int MaxEpochLength => _length;

            public override int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network)
            {
                CheckOrderLength(order);
                int k = _members.Length;
                for (int c = 0; c < k; c++)
                {
                    // From the data set's order, so an epoch depends on the generator's state alone (checkpoints).
                    _classMembers[c].CopyTo(_members[c], 0);
                    rng.Shuffle(_members[c].AsSpan());
                    _cursor[c] = 0;
                }
                _classCursor = k;   // the extra-slot stream starts with a fresh permutation each epoch
                int position = 0;
                while (position < _length)
                {
                    int size = Math.Min(_batchSize, _length - position);
                    int each = size / k, extra = size % k;
                    for (int c = 0; c < k; c++) _count[c] = each;
                    for (int e = 0; e < extra; e++) _count[NextExtraClass(each, rng)]++;
                    for (int c = 0; c < k; c++)
                        for (int j = 0; j < _count[c]; j++)
                            order[position++] = NextMember(c, rng);
                }
                // The extra slots consumed over the epoch are a multiple of k when all quotas are equal, so every
                // class got exactly its quota; EqualShare ends part-way through a permutation (quotas differ by ≤ 1).
                return _length;
            }

            private int NextExtraClass(int each, Rng rng)
            {
                if (_classCursor == _classes.Length)
                {
                    // A new permutation of the classes. When a batch's extra slots straddle two permutations, the
                    // classes that already got one in this batch go to the end of the new permutation, so no class
                    // gets two; it is still a permutation, so the epoch's totals stay equal.
                    int front = 0;
                    for (int c = 0; c < _classes.Length; c++) if (_count[c] == each) _classes[front++] = c;
                    int back = front;
                    for (int c = 0; c < _classes.Length; c++) if (_count[c] != each) _classes[back++] = c;
                    rng.Shuffle(_classes.AsSpan(0, front));
                    rng.Shuffle(_classes.AsSpan(front));
                    _classCursor = 0;
                }
                return _classes[_classCursor++];
            }

            private int NextMember(int c, Rng rng)
            {
                var members = _members[c];
                if (_cursor[c] == members.Length)
                {
                    // A class used up within the epoch (Oversample's or EqualShare's minority): a fresh permutation.
                    rng.Shuffle(members.AsSpan());
                    _cursor[c] = 0;
                }
                return members[_cursor[c]++];
            }
        }
    }

    /// <summary>
    /// Curriculum learning: examples ordered from easy to hard by a difficulty score, introduced in stages.
    /// The examples are sorted by score (ties by index) and cut into <see cref="Stages"/> stages of equal size
    /// (the first holds the easiest). Pacing: epoch e (0-based) trains on stages 0 … ⌊e / <see cref="EpochsPerStage"/>⌋,
    /// so the share of the data in play grows by 1/Stages every EpochsPerStage epochs until it is all of it. Within an
    /// epoch the stages come in order, easiest first, each shuffled with the run's generator (so batches mix examples
    /// of similar difficulty, and a stage's order changes every epoch).
    /// The score is either given (one value per example, lower = easier; for example a label-noise estimate or an
    /// image's contrast) or, without one, each example's loss under the network being trained, measured in inference
    /// mode before every epoch (one pass of <c>Loss</c> over the data: about an evaluation's cost), so examples the
    /// network gets wrong come later and the curriculum follows the network as it learns.
    /// </summary>
    public sealed class CurriculumBatches : BatchingStrategy
    {
        private readonly float[]? _difficulty;

        /// <summary>A curriculum from <paramref name="difficulty"/> (one score per example; null: the loss under the current network).</summary>
        public CurriculumBatches(float[]? difficulty, int stages = 4, int epochsPerStage = 1)
        {
            if (stages < 1) throw new ArgumentOutOfRangeException(nameof(stages), stages, "A curriculum needs at least 1 stage.");
            if (epochsPerStage < 1) throw new ArgumentOutOfRangeException(nameof(epochsPerStage), epochsPerStage, "Each stage lasts at least 1 epoch.");
            if (difficulty is not null)
                for (int i = 0; i < difficulty.Length; i++)
                    if (float.IsNaN(difficulty[i]))
                        throw new ArgumentException($"difficulty[{i}] is NaN; every example needs a comparable score.", nameof(difficulty));
            _difficulty = difficulty;
            Stages = stages;
            EpochsPerStage = epochsPerStage;
        }

        /// <summary>Number of equal-sized stages the sorted data is cut into.</summary>
        public int Stages { get; }

        /// <summary>Epochs before the next stage joins.</summary>
        public int EpochsPerStage { get; }

        /// <summary>True when the score is the loss under the current network rather than a given one.</summary>
        public bool ByLoss => _difficulty is null;

        /// <inheritdoc/>
        public override string Name => $"curriculum ({(ByLoss ? "by loss" : "given difficulty")}, {Stages} stages, {EpochsPerStage} epoch(s) each)";

        /// <summary>Stages in play in epoch <paramref name="epoch"/> (0-based).</summary>
        public int StagesInPlay(int epoch) => (int)Math.Min(Stages, (long)epoch / EpochsPerStage + 1);

        /// <summary>The end (exclusive) of stage <paramref name="stage"/> in the sorted order of <paramref name="count"/> examples.</summary>
        public int StageEnd(int stage, int count) => (int)((long)count * (stage + 1) / Stages);

        /// <inheritdoc/>
        public override BatchSampler CreateSampler(Dataset data, int batchSize)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (_difficulty is not null && _difficulty.Length != data.Count)
                throw new ArgumentException($"The difficulty score has {_difficulty.Length} values, but the data set has {data.Count} examples.", nameof(data));
            return new Sampler(this, data);
        }

        private sealed class Sampler : BatchSampler
        {
            private readonly CurriculumBatches _options;
            private readonly Dataset _data;
            private readonly float[] _scores;
            private readonly ulong[] _keys;
            private readonly int[] _sorted;
            private bool _sortedOnce;

            public Sampler(CurriculumBatches options, Dataset data)
            {
                _options = options;
                _data = data;
                _scores = options._difficulty is null ? new float[data.Count] : (float[])options._difficulty.Clone();
                _sorted = new int[data.Count];
                _keys = new ulong[data.Count];
            }

            public override int MaxEpochLength => _data.Count;

            public override int NextEpoch(int epoch, Span<int> order, Rng rng, INetwork network)
            {
                CheckOrderLength(order);
                if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Epochs are counted from 0.");
                int n = _data.Count;
                if (_options.ByLoss)
                {
                    ArgumentNullException.ThrowIfNull(network);
                    for (int i = 0; i < n; i++)
                    {
                        float loss = network.Loss(_data.Features(i), _data.Label(i));
                        _scores[i] = float.IsNaN(loss) ? float.PositiveInfinity : loss;
                    }
                }
                if (_options.ByLoss || !_sortedOnce)
                {
                    // Sort keys: the score's bits mapped to an unsigned order-preserving integer, then the index, so
                    // equal scores keep the data set's order and sorting allocates nothing.
                    for (int i = 0; i < n; i++) _keys[i] = ((ulong)OrderedBits(_scores[i]) << 32) | (uint)i;
                    _keys.AsSpan(0, n).Sort();
                    for (int i = 0; i < n; i++) _sorted[i] = (int)(uint)_keys[i];
                    _sortedOnce = true;
                }
                int stages = _options.StagesInPlay(epoch), start = 0, length = _options.StageEnd(stages - 1, n);
                _sorted.AsSpan(0, length).CopyTo(order);
                for (int s = 0; s < stages; s++)
                {
                    int end = _options.StageEnd(s, n);
                    rng.Shuffle(order[start..end]);
                    start = end;
                }
                return length;
            }
        }

        private static uint OrderedBits(float score)
        {
            if (score == 0) score = 0;   // −0 and +0 are the same score
            uint bits = BitConverter.SingleToUInt32Bits(score);
            return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
        }
    }
}
