using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>
    /// Class-balanced batches: in every batch each class (that has examples) occurs ⌊B/k⌋ or ⌈B/k⌉ times for a batch
    /// of B and k classes — counts differ by at most one — also in the last, shorter batch; with B &lt; k each batch
    /// holds B different classes. Which classes get the ⌈B/k⌉ slots rotates through fresh random permutations of the
    /// classes, so over an epoch every class gets the same number of slots (±1 for <see cref="ClassBalancePolicy.EqualShare"/>).
    /// How unequal class sizes are handled is the <see cref="Policy"/>. On balanced data every policy visits every
    /// example exactly once per epoch. Classes without examples are left out. Regression data has no classes to balance:
    /// <see cref="CreateSampler"/> refuses it with an <see cref="ArgumentException"/> (bin the targets into classes
    /// yourself if that is what you mean, or use <see cref="BatchingStrategy.Shuffle"/>).
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
            if (data.IsRegression)
                throw new ArgumentException(
                    $"Class-balanced batches need class labels, but this is regression data ({data.TargetSize} float target(s) per example, no classes): use BatchingStrategy.Shuffle or Sequential.", nameof(data));
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
}
