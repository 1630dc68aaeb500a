using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>The kind of a layer before the dense layers of a convolutional network.</summary>
    public enum FeatureLayerKind
    {
        /// <summary>A two-dimensional convolution with its weights [out, in, kH, kW], optional biases and an activation.</summary>
        Conv2D = 0,
        /// <summary>Max pooling: each output the largest input of its window.</summary>
        MaxPool = 1,
        /// <summary>Average pooling: each output the mean of its window.</summary>
        AvgPool = 2,
    }

    /// <summary>
    /// A convolution or pooling layer of a compiled network as data, for exporters and tools: its input and output
    /// images (channels × height × width), its kernel or window, stride and padding (on each side), and where a
    /// convolution's weights ([out, in, kH, kW], row-major), biases or batch norm's γ and β sit in <see cref="ITrainable.Parameters"/>
    /// (null for what the layer does not have).
    /// </summary>
    public sealed record FeatureLayerDescription
    {
        /// <summary>Convolution, max pooling or average pooling.</summary>
        public FeatureLayerKind Kind { get; init; }

        /// <summary>Channels of the input image.</summary>
        public int InputChannels { get; init; }

        /// <summary>Rows of the input image.</summary>
        public int InputHeight { get; init; }

        /// <summary>Columns of the input image.</summary>
        public int InputWidth { get; init; }

        /// <summary>Channels of the output image (a convolution's filters; a pooling layer keeps its input's).</summary>
        public int OutputChannels { get; init; }

        /// <summary>Rows of the output image.</summary>
        public int OutputHeight { get; init; }

        /// <summary>Columns of the output image.</summary>
        public int OutputWidth { get; init; }

        /// <summary>Rows of the kernel or pooling window.</summary>
        public int KernelHeight { get; init; }

        /// <summary>Columns of the kernel or pooling window.</summary>
        public int KernelWidth { get; init; }

        /// <summary>Step between windows, the same along both axes.</summary>
        public int Stride { get; init; }

        /// <summary>Zero rows added above and below the input.</summary>
        public int PadHeight { get; init; }

        /// <summary>Zero columns added left and right of the input.</summary>
        public int PadWidth { get; init; }

        /// <summary>A convolution's activation; <see cref="Activation.Linear"/> for pooling.</summary>
        public Activation Activation { get; init; }

        /// <summary>Start of a convolution's weights [out, in, kH, kW] in the parameters, or null for pooling.</summary>
        public int? WeightOffset { get; init; }

        /// <summary>Start of a convolution's biases in the parameters, or null for pooling and a convolution without biases.</summary>
        public int? BiasOffset { get; init; }

        /// <summary>
        /// Start of a batch-normalised convolution's γ (one per output channel; statistics per channel over the batch and
        /// every position) in the parameters, or null without batch norm (a normalised convolution has no biases).
        /// </summary>
        public int? GammaOffset { get; init; }

        /// <summary>Start of a batch-normalised convolution's β (one per output channel) in the parameters, or null.</summary>
        public int? BetaOffset { get; init; }

        /// <summary>Start of a batch-normalised convolution's population mean, then variance (one per output channel), in <see cref="ICompiledNetwork.BatchNormStatistics"/>, or null.</summary>
        public int? StatisticsOffset { get; init; }

        /// <summary>Values of one example's input image.</summary>
        public int InputSize => InputChannels * InputHeight * InputWidth;

        /// <summary>Values of one example's output image.</summary>
        public int OutputSize => OutputChannels * OutputHeight * OutputWidth;

        /// <summary>Number of weights (0 for pooling).</summary>
        public int WeightCount => Kind == FeatureLayerKind.Conv2D ? OutputChannels * InputChannels * KernelHeight * KernelWidth : 0;
    }

    /// <summary>
    /// A network whose input is an image that convolution and pooling layers process before its dense layers
    /// (<see cref="ICompiledNetwork.Layers"/>); the first dense layer reads the last image flattened channel by channel.
    /// Generated networks with [Conv2D], [MaxPool] or [AvgPool] layers implement it.
    /// </summary>
    public interface IConvolutional : ICompiledNetwork
    {
        /// <summary>The convolution and pooling layers, input to output.</summary>
        IReadOnlyList<FeatureLayerDescription> FeatureLayers { get; }

        /// <summary>
        /// Outputs of feature layer <paramref name="layer"/> (1-based, as in <see cref="FeatureLayers"/>; after a
        /// convolution's activation) for the examples of the last training step, row after row, each row the layer's
        /// output image channel by channel. The training health monitor reads it.
        /// </summary>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="layer"/> is not 1..<see cref="FeatureLayers"/>.Count.</exception>
        System.ReadOnlySpan<float> TrainingFeatureActivations(int layer);
    }
}
