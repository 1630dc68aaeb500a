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
    /// convolution's weights ([out, in, kH, kW], row-major) and biases sit in <see cref="ITrainable.Parameters"/>
    /// (−1 for what the layer does not have).
    /// </summary>
    public sealed record FeatureLayerDescription(
        FeatureLayerKind Kind, int InputChannels, int InputHeight, int InputWidth, int OutputChannels, int OutputHeight, int OutputWidth,
        int KernelHeight, int KernelWidth, int Stride, int PadHeight, int PadWidth, Activation Activation, int WeightOffset, int BiasOffset)
    {
        /// <summary>Values of one example's input image.</summary>
        public int InputSize => InputChannels * InputHeight * InputWidth;

        /// <summary>Values of one example's output image.</summary>
        public int OutputSize => OutputChannels * OutputHeight * OutputWidth;

        /// <summary>Number of weights (0 for pooling).</summary>
        public int WeightCount => Kind == FeatureLayerKind.Conv2D ? OutputChannels * InputChannels * KernelHeight * KernelWidth : 0;
    }

    /// <summary>
    /// A network whose input is an image that convolution and pooling layers process before its dense layers
    /// (<see cref="ICheckpointable.Layers"/>); the first dense layer reads the last image flattened channel by channel.
    /// Generated networks with [Conv2D], [MaxPool] or [AvgPool] layers implement it.
    /// </summary>
    public interface IConvolutional : ICheckpointable
    {
        /// <summary>The convolution and pooling layers, input to output.</summary>
        IReadOnlyList<FeatureLayerDescription> FeatureLayers { get; }
    }
}
