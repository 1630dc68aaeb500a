using System;

namespace CompiledNet
{
    /// <summary>
    /// A two-dimensional convolution over the image declared by <see cref="NetworkAttribute.Channels"/>,
    /// <see cref="NetworkAttribute.Height"/> and <see cref="NetworkAttribute.Width"/>:
    /// y[o, i, j] = f(b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x[c, i·s + u − p, j·s + v − p]), zero outside the image.
    /// Convolution and pooling layers come before the first <see cref="DenseAttribute"/>, which reads their output
    /// flattened channel by channel (the ONNX and PyTorch order). The generator computes every layer's output shape and
    /// reports a shape that does not work out at the argument that causes it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2DAttribute : Attribute
    {
        /// <summary>Creates a convolution with <paramref name="filters"/> output channels.</summary>
        public Conv2DAttribute(int filters) => Filters = filters;

        /// <summary>Number of filters: the output channels.</summary>
        public int Filters { get; }

        /// <summary>Side of a square kernel; <see cref="KernelHeight"/> and <see cref="KernelWidth"/> set a rectangular one. Default 3.</summary>
        public int Kernel { get; set; } = 3;

        /// <summary>Height of the kernel (default: <see cref="Kernel"/>).</summary>
        public int KernelHeight { get; set; }

        /// <summary>Width of the kernel (default: <see cref="Kernel"/>).</summary>
        public int KernelWidth { get; set; }

        /// <summary>Step between two kernel positions, in both directions. Default 1.</summary>
        public int Stride { get; set; } = 1;

        /// <summary>
        /// Zero rows and columns added on each side of the input (default 0), or <see cref="CompiledNet.Padding.Same"/>:
        /// (kernel − 1)/2 on each side (odd kernels only), so that with stride 1 the output has the input's height and width.
        /// </summary>
        public int Padding { get; set; }

        /// <summary>The activation applied to every output (Linear, ReLU, Sigmoid or Tanh). Default ReLU.</summary>
        public Activation Activation { get; set; } = Activation.ReLU;

        /// <summary>How the weights are drawn, with fan-in = channels × kernel height × kernel width; biases start at zero.</summary>
        public WeightInit Init { get; set; } = WeightInit.He;

        /// <summary>Whether each filter has a bias (default true).</summary>
        public bool Bias { get; set; } = true;

        /// <summary>
        /// Per-channel batch normalisation (Ioffe and Szegedy, 2015, section 3.2): each output channel's pre-activation z is
        /// normalised with the mean and variance taken over the batch and every position of the channel's feature map, then
        /// scaled and shifted by the channel's γ and β before the activation. The layer has no biases (β takes their role,
        /// whatever <see cref="Bias"/> says). Inference uses the population statistics: running averages kept during
        /// training, or the exact pass of <c>BatchNorm.RecomputePopulationStatistics</c>. Default false.
        /// </summary>
        public bool BatchNorm { get; set; }

        /// <summary>
        /// Dropout of the layer's outputs in training, element-wise as on a dense layer: each value of each output image is
        /// dropped with probability p, independently of its neighbours, and the kept ones scaled by 1/(1 − p) (inverted
        /// dropout, so inference uses no mask). This is not channel-wise "spatial" dropout (Tompson et al., 2015), which
        /// drops whole feature maps. Masks come from the network's generator: a seed gives the same masks for every
        /// training thread count. In [0, 1); default 0.
        /// </summary>
        public float Dropout { get; set; }
    }
}
