using System;
using System.Collections.Generic;

namespace CompiledNet
{
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
    /// network gets wrong come later and the curriculum follows the network as it learns. On regression data the loss
    /// is measured against each example's targets.
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
                        float loss = _data.IsRegression ? network.Loss(_data.Features(i), _data.Targets(i)) : network.Loss(_data.Features(i), _data.Label(i));
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
