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
            if (inputs.Length % InputSize != 0) CompilerServices.Kernels.ThrowWrongLength(nameof(inputs), (rows + 1) * InputSize, inputs.Length, "a multiple of InputSize");
            if (outputs.Length != rows * OutputSize) CompilerServices.Kernels.ThrowWrongLength(nameof(outputs), rows * OutputSize, outputs.Length, "OutputSize per input row");
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
}
