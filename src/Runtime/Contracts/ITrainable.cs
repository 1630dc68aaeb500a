using System;

namespace CompiledNet
{
    /// <summary>
    /// Training contract of a compiled network: a mini-batch step over one flat parameter buffer.
    /// A batch holds 1..<see cref="BatchSize"/> examples, row after row; the loss and the gradient are means over
    /// the examples actually given, so a last partial batch is handled exactly.
    /// </summary>
    public interface ITrainable : INetwork
    {
        /// <summary>Largest number of examples in one training step (compile-time constant of the network).</summary>
        int BatchSize { get; }

        /// <summary>
        /// Threads a training step uses (generated networks: the machine's logical processors by default, or 1 where
        /// a batch too small to share keeps a network on one thread). A fixed count gives bit-identical runs.
        /// </summary>
        int TrainingThreads { get => 1; set { if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1 thread."); } }

        /// <summary>Number of trainable parameters (length of <see cref="Parameters"/> and <see cref="Gradients"/>).</summary>
        int ParameterCount { get; }

        /// <summary>Learning rate used by the next optimizer step; a schedule may change it between steps.</summary>
        float LearningRate { get; set; }

        /// <summary>Number of optimizer steps taken so far.</summary>
        long Step { get; }

        /// <summary>
        /// The optimizer's per-parameter state (momentum's velocity δ, Adagrad's and RMSProp's G, Adam's m then v),
        /// each slot laid out like <see cref="Parameters"/>, one slot after the other; empty for plain SGD.
        /// </summary>
        Span<float> OptimizerState => Span<float>.Empty;

        /// <summary>The learning-rate schedule declared on the network (Decay, DecayEvery), or null for a constant rate.</summary>
        LearningRateSchedule? DeclaredSchedule => null;

        /// <summary>Names the parameter at a flat index in words, e.g. "layer 2 (Dense 256 → 128 ReLU) weight W[12, 40]".</summary>
        string DescribeParameter(int index) => $"parameter {index}";

        /// <summary>All trainable parameters in one flat buffer (the layout is documented on the generated class).</summary>
        Span<float> Parameters { get; }

        /// <summary>The gradient of the last <c>ComputeGradients</c> or <c>TrainBatch</c>, laid out like <see cref="Parameters"/>.</summary>
        Span<float> Gradients { get; }

        /// <summary>Forward and backward pass over one batch: fills <see cref="Gradients"/>, returns the mean loss; parameters are unchanged.</summary>
        float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels);

        /// <summary>As <see cref="ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{int})"/> with target vectors (<see cref="INetwork.OutputSize"/> values per example).</summary>
        float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

        /// <summary>One optimizer step with the current <see cref="Gradients"/> and <see cref="LearningRate"/>.</summary>
        void ApplyGradients();

        /// <summary>
        /// True when every parameter is finite after the last optimizer step. Generated networks test each value as their
        /// step writes it (x·0 is 0 for a finite x and NaN otherwise), so reading this costs no pass over the
        /// parameters; this default scans <see cref="Parameters"/>.
        /// </summary>
        bool LastStepFinite => CompilerServices.Kernels.AllFinite(Parameters);

        /// <summary>Forward, backward and optimizer step on one batch; returns the batch's mean loss (before the step).</summary>
        float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels);

        /// <summary>As <see cref="TrainBatch(ReadOnlySpan{float}, ReadOnlySpan{int})"/> with target vectors.</summary>
        float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);
    }
}
