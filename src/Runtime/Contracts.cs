using System;

namespace CompiledNet
{
    /// <summary>
    /// Inference contract every compiled network implements. Implementations are generated: every size is a
    /// compile-time constant of the network class. Inference methods allocate nothing and are safe to call from
    /// many threads at once (they must not run concurrently with training).
    /// </summary>
    public interface INetwork
    {
        /// <summary>Number of input features of one example.</summary>
        int InputSize { get; }

        /// <summary>Number of outputs of one example.</summary>
        int OutputSize { get; }

        /// <summary>Runs the network on one example. <paramref name="x"/> has <see cref="InputSize"/> values,
        /// <paramref name="y"/> receives <see cref="OutputSize"/> values; other lengths throw <see cref="ArgumentException"/>.</summary>
        void Predict(ReadOnlySpan<float> x, Span<float> y);

        /// <summary>
        /// Runs the network on many examples: <paramref name="inputs"/> row after row (<see cref="InputSize"/> values
        /// each), <paramref name="outputs"/> <see cref="OutputSize"/> values per example. Generated networks do this
        /// with batched kernels; this default calls <see cref="Predict"/> row by row.
        /// </summary>
        void PredictBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
        {
            int rows = inputs.Length / InputSize;
            if (inputs.Length % InputSize != 0) Kernels.ThrowWrongLength(nameof(inputs), (rows + 1) * InputSize, inputs.Length, "a multiple of InputSize");
            if (outputs.Length != rows * OutputSize) Kernels.ThrowWrongLength(nameof(outputs), rows * OutputSize, outputs.Length, "OutputSize per input row");
            for (int r = 0; r < rows; r++) Predict(inputs.Slice(r * InputSize, InputSize), outputs.Slice(r * OutputSize, OutputSize));
        }

        /// <summary>
        /// Threads <see cref="PredictBatch"/> may use (generated networks: the machine's logical processors by default; a
        /// large enough batch is shared among them, with the same results for every count).
        /// </summary>
        int InferenceThreads { get => 1; set { if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1 thread."); } }

        /// <summary>Index of the largest output (for a single sigmoid output: 1 when it is ≥ 0.5, else 0).</summary>
        int Classify(ReadOnlySpan<float> x);

        /// <summary>The loss of one example against a class label (inference mode), computed stably.</summary>
        float Loss(ReadOnlySpan<float> x, int label);

        /// <summary>The loss of one example against a target vector of <see cref="OutputSize"/> values (inference mode).</summary>
        float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target);
    }

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
        bool LastStepFinite => Kernels.AllFinite(Parameters);

        /// <summary>Forward, backward and optimizer step on one batch; returns the batch's mean loss (before the step).</summary>
        float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels);

        /// <summary>As <see cref="TrainBatch(ReadOnlySpan{float}, ReadOnlySpan{int})"/> with target vectors.</summary>
        float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);
    }
}

namespace CompiledNet
{
    /// <summary>
    /// A compiled network with batch-normalised layers. Inference uses population statistics: by default the running
    /// averages kept during training; <see cref="BatchNorm.RecomputePopulationStatistics"/> replaces them with the
    /// exact mean and variance over a data set.
    /// </summary>
    public interface IBatchNormalized : INetwork
    {
        /// <summary>Number of batch-normalised layers.</summary>
        int BatchNormLayerCount { get; }

        /// <summary>Per normalised layer, the population mean then variance of each unit.</summary>
        Span<float> BatchNormStatistics { get; }

        /// <summary>Starts the exact pass for one normalised layer (0-based).</summary>
        void BeginPopulationStatistics(int index);

        /// <summary>Adds one example to the pass.</summary>
        void AccumulatePopulationStatistics(ReadOnlySpan<float> x);

        /// <summary>Ends the pass and stores the layer's statistics.</summary>
        void EndPopulationStatistics();
    }

    /// <summary>Batch-normalisation helpers.</summary>
    public static class BatchNorm
    {
        /// <summary>
        /// Replaces the running averages with the exact population statistics over <paramref name="data"/>, layer by
        /// layer from the input, each layer's pass using the new statistics of the layers before it (an exact
        /// pass over the training data after training, as Ioffe and Szegedy, 2015, propose for inference).
        /// </summary>
        public static void RecomputePopulationStatistics(IBatchNormalized net, Dataset data)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(data);
            if (data.FeatureSize != net.InputSize)
                throw new ArgumentException($"The data set has {data.FeatureSize} features per example, but the network takes {net.InputSize} inputs.", nameof(data));
            for (int layer = 0; layer < net.BatchNormLayerCount; layer++)
            {
                net.BeginPopulationStatistics(layer);
                for (int i = 0; i < data.Count; i++) net.AccumulatePopulationStatistics(data.Features(i));
                net.EndPopulationStatistics();
            }
        }
    }
}

namespace CompiledNet
{
    /// <summary>
    /// The state a checkpoint saves, implemented by every generated network: identity (fingerprint of every shape and
    /// option, and a readable architecture), the flat buffers, the step counter and the mask generator.
    /// </summary>
    public interface ICheckpointable : ITrainable
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
    }
}

namespace CompiledNet
{
    /// <summary>
    /// What the training health monitor reads after a step: the layers' activations and maxout winners of the
    /// examples of the last training step. Every generated network implements it.
    /// </summary>
    public interface IInspectable : ICheckpointable
    {
        /// <summary>Outputs of layer <paramref name="layer"/> (1-based, after its activation, before dropout) for the last training step, BatchSize rows (the first count of them are that step's).</summary>
        ReadOnlySpan<float> TrainingActivations(int layer);

        /// <summary>For a maxout layer, each unit's winning piece in the last training step (BatchSize rows); empty for other layers.</summary>
        ReadOnlySpan<int> TrainingMaxoutWinners(int layer);
    }

    /// <summary>
    /// One layer of a compiled network as data, with where its parameters sit in <see cref="ITrainable.Parameters"/>
    /// (−1 for a segment the layer does not have) — for exporters and tools.
    /// </summary>
    public sealed record LayerDescription(
        int Inputs, int Units, Activation Activation, int Pieces, bool BatchNorm, bool Bias,
        int WeightOffset, int BiasOffset, int GammaOffset, int BetaOffset, int StatisticsOffset)
    {
        /// <summary>Width of the linear part: units × pieces for maxout, the units otherwise.</summary>
        public int Width => Activation == Activation.Maxout ? Units * Pieces : Units;
    }
}
