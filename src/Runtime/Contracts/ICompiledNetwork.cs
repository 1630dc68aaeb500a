using System;

namespace CompiledNet
{
    /// <summary>
    /// What a compiled network exposes beyond training, and what checkpoints, the exporters and the training health
    /// monitor read: its identity (a fingerprint of every shape and option, and the declaration in words), its layers
    /// with their parameter offsets, the state a checkpoint saves besides <see cref="ITrainable"/>'s buffers (batch-norm
    /// statistics, step counter, mask generator), and the activations of the last training step. Every generated
    /// network implements it.
    /// </summary>
    public interface ICompiledNetwork : ITrainable
    {
        /// <summary>64-bit fingerprint of every shape and option of the declaration; checkpoints refuse another.</summary>
        ulong Fingerprint { get; }

        /// <summary>The declaration in words, e.g. "784 → 256 ReLU → 10 Softmax; softmax cross-entropy; SGD (η = 0.05); batch 32".</summary>
        string Architecture { get; }

        /// <summary>Batch-norm population statistics (empty without batch norm).</summary>
        Span<float> BatchNormStatistics { get; }

        /// <summary>Sets the step counter (Adam's t) when a checkpoint is restored.</summary>
        void RestoreStep(long step);

        /// <summary>State of the dropout/DropConnect mask generator, or null when the network draws no masks.</summary>
        RngState? MaskGeneratorState { get; set; }

        /// <summary>The layers, input to output, with their parameter offsets.</summary>
        System.Collections.Generic.IReadOnlyList<LayerDescription> Layers { get; }

        /// <summary>Outputs of layer <paramref name="layer"/> (1-based, after its activation, before dropout) for the last training step, BatchSize rows (the first count of them are that step's).</summary>
        ReadOnlySpan<float> TrainingActivations(int layer);

        /// <summary>For a maxout layer, each unit's winning piece in the last training step (BatchSize rows); empty for other layers.</summary>
        ReadOnlySpan<int> TrainingMaxoutWinners(int layer);
    }
}
