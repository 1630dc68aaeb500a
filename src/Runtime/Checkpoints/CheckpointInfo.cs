using System;
using System.Buffers.Binary;
using System.IO;
using System.Globalization;
using System.Text;

namespace CompiledNet
{
    /// <summary>What a checkpoint file says about itself.</summary>
    public sealed record CheckpointInfo
    {
        /// <summary>The network declaration's fingerprint.</summary>
        public ulong Fingerprint { get; init; }

        /// <summary>The network declaration in words.</summary>
        public string Architecture { get; init; } = "";

        /// <summary>Optimizer steps taken when it was saved.</summary>
        public long Step { get; init; }

        /// <summary>Epochs completed when the training loop saved it; null when it was saved outside the loop (<see cref="Checkpoint.Save(ICompiledNetwork, string)"/>).</summary>
        public int? Epoch { get; init; }

        /// <summary>The training loop's shuffle generator, if it was saved.</summary>
        public RngState? ShuffleState { get; init; }

        /// <summary>The format version of the file (1, 2 or 3).</summary>
        public int FormatVersion { get; init; } = Checkpoint.FormatVersion;

        /// <summary>The network's learning rate when it was saved; null in a version-1 file, which did not record it.</summary>
        public float? LearningRate { get; init; }

        /// <summary>
        /// The standardizer saved with the network (<see cref="Checkpoint.Save(ICompiledNetwork, string, Standardizer?)"/>):
        /// apply it to every input before <c>Predict</c>, as in training. Null when none was saved, and for files of
        /// format versions 1 and 2, which could not hold one.
        /// </summary>
        public Standardizer? Standardizer { get; init; }

        /// <summary>The training loop's own state (schedule base rate, roll-backs, divergence watch, early stopping), when the loop saved it.</summary>
        internal TrainingLoopState? Loop { get; init; }
    }
}
