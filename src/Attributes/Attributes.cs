using System;

namespace CompiledNet
{
    /// <summary>
    /// Declares a compiled network on a <c>partial class</c>. The layers are the <see cref="DenseAttribute"/>s
    /// on the same class, in source order. The CompiledNet generator emits the network's code at build time.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <summary>
        /// Number of input features (for example 784 for 28×28 images). Required, &gt; 0 — unless the network declares an
        /// image (<see cref="Height"/> and <see cref="Width"/>), whose size Channels × Height × Width it then must equal, or
        /// which gives it when it is left out.
        /// </summary>
        public int Input { get; set; }

        /// <summary>Channels of the input image (default 1), for <see cref="Conv2DAttribute"/> and pooling layers.</summary>
        public int Channels { get; set; }

        /// <summary>Height of the input image in pixels; an example's inputs are its channels one after the other, each row by row.</summary>
        public int Height { get; set; }

        /// <summary>Width of the input image in pixels.</summary>
        public int Width { get; set; }

        /// <summary>Mini-batch size of the training step (1 = SGD, the data set size = batch GD). Default 32.</summary>
        public int BatchSize { get; set; } = 32;

        /// <summary>Dropout rate on the input features during training, in [0, 1). Default 0 (none).</summary>
        public float InputDropout { get; set; }
    }

    /// <summary>A fully connected layer: a = f(x·W + b). Apply several, in order, from the input to the output layer.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DenseAttribute : Attribute
    {
        /// <summary>Creates a dense layer with <paramref name="units"/> outputs and the given activation.</summary>
        public DenseAttribute(int units, Activation activation)
        {
            Units = units;
            Activation = activation;
        }

        /// <summary>Number of units (outputs) of the layer.</summary>
        public int Units { get; }

        /// <summary>The layer's activation.</summary>
        public Activation Activation { get; }

        /// <summary>How the weights are initialised; biases start at zero.</summary>
        public WeightInit Init { get; set; } = WeightInit.LeCun;

        /// <summary>
        /// Dropout rate p of this layer's outputs during training, in [0, 1); not on the output layer. Inverted
        /// scaling: a kept unit is multiplied by 1/(1 − p) in training, so inference uses every unit unscaled.
        /// </summary>
        public float Dropout { get; set; }

        /// <summary>
        /// DropConnect rate p of this layer's weights during training, in [0, 1): one mask per mini-batch (shared by
        /// its examples), kept weights scaled by 1/(1 − p); inference uses every weight unscaled.
        /// </summary>
        public float DropConnect { get; set; }

        /// <summary>
        /// Batch normalisation between the linear part and the activation: γ·(z − μ)/√(σ² + ε) + β with learned γ, β
        /// (the layer then has no bias: β plays its role). Training uses the batch's statistics; inference the
        /// population statistics.
        /// </summary>
        public bool BatchNorm { get; set; }

        /// <summary>
        /// Number k ≥ 2 of linear pieces per unit of a <see cref="Activation.Maxout"/> layer: the layer computes
        /// units·k affine functions and each unit outputs the largest of its k; the gradient flows to the winner.
        /// </summary>
        public int Pieces { get; set; }

        /// <summary>
        /// Whether the layer has biases (default true). A batch-normalised layer never has one — β plays its role —
        /// and setting <c>Bias = true</c> on it is reported as redundant.
        /// </summary>
        public bool Bias { get; set; } = true;
    }

    /// <summary>The loss the training step minimises.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class LossAttribute : Attribute
    {
        /// <summary>Selects the loss.</summary>
        public LossAttribute(LossKind kind) => Kind = kind;

        /// <summary>The selected loss.</summary>
        public LossKind Kind { get; }
    }

    /// <summary>The optimizer of the training step. Without this attribute: SGD with learning rate 0.01.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class OptimizerAttribute : Attribute
    {
        /// <summary>Selects the optimizer.</summary>
        public OptimizerAttribute(OptimizerKind kind) => Kind = kind;

        /// <summary>The selected optimizer.</summary>
        public OptimizerKind Kind { get; }

        /// <summary>Initial learning rate η (&gt; 0). Default 0.01.</summary>
        public float LearningRate { get; set; } = 0.01f;

        /// <summary>Momentum γ of <see cref="OptimizerKind.Momentum"/> and <see cref="OptimizerKind.Nesterov"/>, in [0, 1). Default 0.9.</summary>
        public float Momentum { get; set; } = 0.9f;

        /// <summary>Decay ρ of RMSProp's running average of g², in [0, 1). Default 0.9.</summary>
        public float Rho { get; set; } = 0.9f;

        /// <summary>Adam's decay of the first moment, in [0, 1). Default 0.9.</summary>
        public float Beta1 { get; set; } = 0.9f;

        /// <summary>Adam's decay of the second moment, in [0, 1). Default 0.999.</summary>
        public float Beta2 { get; set; } = 0.999f;

        /// <summary>ε of Adagrad, RMSProp (inside the square root) and Adam (added to √v̂), &gt; 0. Default 1e-8.</summary>
        public float Epsilon { get; set; } = 1e-8f;

        /// <summary>
        /// Learning-rate decay per <see cref="DecayEvery"/> epochs, in (0, 1]: η_e = η·Decay^⌊e / DecayEvery⌋ for the
        /// 0-based epoch e. 1 (the default) keeps η constant; DecayEvery = 1 is exponential decay per epoch, a larger
        /// DecayEvery is step decay. The training loop applies it.
        /// </summary>
        public float Decay { get; set; } = 1f;

        /// <summary>Epochs between two decays of the learning rate (≥ 1). Default 1.</summary>
        public int DecayEvery { get; set; } = 1;
    }

    /// <summary>
    /// Weight regularisation. It applies to weights only: biases (and batch-norm γ, β) are never regularised.
    /// Order inside one step: weight decay, then the L1 shift, then the optimizer's update with g + 2·L2·w.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class RegularizationAttribute : Attribute
    {
        /// <summary>
        /// Coupled L2: the penalty L2·Σw² is part of the loss, so its gradient 2·L2·w is added to g before the
        /// optimizer (adaptive optimizers rescale it like the rest of g). ≥ 0; default 0.
        /// </summary>
        public float L2 { get; set; }

        /// <summary>
        /// L1 penalty λ·Σ|w|, applied as a shift toward zero before the update: w ← sign(w)·max(|w| − η·λ, 0).
        /// A weight that would cross zero becomes exactly 0; a weight that is 0 stays 0. ≥ 0; default 0.
        /// </summary>
        public float L1 { get; set; }

        /// <summary>
        /// Decoupled weight decay (Loshchilov and Hutter, 2019): before the update every weight is multiplied by (1 − WeightDecay),
        /// independently of η and of the optimizer's scaling. In [0, 1); default 0. For plain SGD it equals L2 with
        /// WeightDecay = 2·η·L2; for adaptive optimizers the two differ.
        /// </summary>
        public float WeightDecay { get; set; }
    }
}

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

        /// <summary>Per-channel batch normalisation. Not supported on a convolution yet: setting it is reported (CNET0108).</summary>
        public bool BatchNorm { get; set; }

        /// <summary>Dropout of the layer's outputs. Not supported on a convolution yet: a non-zero rate is reported (CNET0108).</summary>
        public float Dropout { get; set; }
    }

    /// <summary>Values of <see cref="Conv2DAttribute.Padding"/> with a meaning of their own.</summary>
    public static class Padding
    {
        /// <summary>(kernel − 1)/2 zero rows and columns on each side (odd kernels only): with stride 1 the output keeps the input's height and width.</summary>
        public const int Same = -1;
    }

    /// <summary>
    /// Max pooling: each output is the largest input of its <c>size</c> × <c>size</c> window, windows <see cref="Stride"/>
    /// apart (default: <c>size</c>, windows side by side). The windows must tile the input exactly.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPoolAttribute : Attribute
    {
        /// <summary>Creates a max pooling layer with a <paramref name="size"/> × <paramref name="size"/> window.</summary>
        public MaxPoolAttribute(int size) => Size = size;

        /// <summary>Side of the square window.</summary>
        public int Size { get; }

        /// <summary>Step between two windows (default: the window's size; 0 means that default).</summary>
        public int Stride { get; set; }
    }

    /// <summary>
    /// Average pooling: each output is the mean of its <c>size</c> × <c>size</c> window, windows <see cref="Stride"/>
    /// apart (default: <c>size</c>). The windows must tile the input exactly.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPoolAttribute : Attribute
    {
        /// <summary>Creates an average pooling layer with a <paramref name="size"/> × <paramref name="size"/> window.</summary>
        public AvgPoolAttribute(int size) => Size = size;

        /// <summary>Side of the square window.</summary>
        public int Size { get; }

        /// <summary>Step between two windows (default: the window's size; 0 means that default).</summary>
        public int Stride { get; set; }
    }
}
