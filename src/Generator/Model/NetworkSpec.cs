using Microsoft.CodeAnalysis.Text;

namespace CompiledNet.Generator.Model
{
    // The model is plain data: records of strings, numbers, enums and EquatableArrays. No ISymbol, Compilation or
    // syntax node may be stored here (a test walks these types by reflection to keep it so), because the pipeline
    // compares models by value to decide whether to re-emit.

    // Mirrors of the public enums in CompiledNet.Attributes (same names and values): the generator does not load
    // the attributes assembly, it reads the constants the compiler gives it.
    internal enum ActivationKind { Linear = 0, Sigmoid = 1, Tanh = 2, ReLU = 3, Softmax = 4, Maxout = 5 }

    internal enum LossKind { Quadratic = 0, LogLoss = 1, SoftmaxCrossEntropy = 2 }

    internal enum OptimizerKind { Sgd = 0, Momentum = 1, Nesterov = 2, Adagrad = 3, RmsProp = 4, Adam = 5 }

    internal enum InitKind { LeCun = 0, Glorot = 1, He = 2 }

    /// <summary>One fully connected layer: <c>a = f(x·W + b)</c>.</summary>
    internal sealed record LayerSpec(int Inputs, int Units, ActivationKind Activation, InitKind Init, float Dropout, float DropConnect, bool BatchNorm, int Pieces, bool Bias)
    {
        /// <summary>Width of the linear part: units × pieces for maxout, the units otherwise.</summary>
        public int Width => Activation == ActivationKind.Maxout ? Units * Pieces : Units;
    }

    /// <summary>The kind of a layer before the dense ones: a convolution or a pooling layer.</summary>
    internal enum FeatureKind { Conv2D = 0, MaxPool = 1, AvgPool = 2 }

    /// <summary>An image shape: channels × height × width.</summary>
    internal sealed record ImageShape(int Channels, int Height, int Width)
    {
        public int Size => Channels * Height * Width;

        /// <summary>"32×14×14".</summary>
        public override string ToString() => $"{Literals.Int(Channels)}×{Literals.Int(Height)}×{Literals.Int(Width)}";
    }

    /// <summary>
    /// A convolution or pooling layer with its shapes computed by the parser: input and output images, kernel (or
    /// window), stride and padding on each side. A pooling layer has Filters = input channels, no parameters, and
    /// Activation Linear.
    /// </summary>
    internal sealed record FeatureLayerSpec(
        FeatureKind Kind, ImageShape Input, ImageShape Output, int KernelHeight, int KernelWidth, int Stride,
        int PadHeight, int PadWidth, ActivationKind Activation, InitKind Init, bool Bias, bool BatchNorm = false, float Dropout = 0f)
    {
        /// <summary>Inputs of one filter: channels × kernel height × kernel width (the fan-in).</summary>
        public int FanIn => Input.Channels * KernelHeight * KernelWidth;

        public int WeightCount => Kind == FeatureKind.Conv2D ? Output.Channels * FanIn : 0;

        public int BiasCount => Kind == FeatureKind.Conv2D && Bias && !BatchNorm ? Output.Channels : 0;

        /// <summary>Per-channel batch normalisation's γ then β (one of each per output channel), or 0.</summary>
        public int GammaBetaCount => Kind == FeatureKind.Conv2D && BatchNorm ? 2 * Output.Channels : 0;

        /// <summary>Parameters of the layer: weights, then biases or γ and β.</summary>
        public int ParameterCount => WeightCount + BiasCount + GammaBetaCount;

        /// <summary>Output positions of one channel.</summary>
        public int Positions => Output.Height * Output.Width;
    }

    internal sealed record OptimizerSpec(
        OptimizerKind Kind, float LearningRate, float Momentum, float Rho, float Beta1, float Beta2, float Epsilon, float Decay, int DecayEvery)
    {
        public static OptimizerSpec Default { get; } = new OptimizerSpec(OptimizerKind.Sgd, 0.01f, 0.9f, 0.9f, 0.9f, 0.999f, 1e-8f, 1f, 1);

        /// <summary>Number of per-parameter state buffers: velocity δ, sum or average of g² G, or Adam's m and v.</summary>
        public int StateSlots => Kind switch
        {
            OptimizerKind.Sgd => 0,
            OptimizerKind.Adam => 2,
            _ => 1,
        };
    }

    /// <summary>Weight regularisation (never applied to biases).</summary>
    internal sealed record RegularizationSpec(float L2, float L1, float WeightDecay)
    {
        public static RegularizationSpec None { get; } = new RegularizationSpec(0f, 0f, 0f);
    }

    /// <summary>A type that encloses the network class: its keyword ("class", "struct", "record", "record struct", "interface") and name.</summary>
    internal sealed record ContainingType(string Keyword, string Name)
    {
        /// <summary>The partial declaration the generated file reopens it with: "partial class Outer".</summary>
        public string Declaration => "partial " + Keyword + " " + Name;
    }

    /// <summary>Everything the emitter needs to write one network class.</summary>
    internal sealed record NetworkSpec(
        string? Namespace,
        string ClassName,
        // The enclosing types, outermost first.
        EquatableArray<ContainingType> ContainingTypes,
        int InputSize,
        int BatchSize,
        float InputDropout,
        EquatableArray<LayerSpec> Layers,
        LossKind Loss,
        OptimizerSpec Optimizer,
        RegularizationSpec Regularization,
        // The declared input image (null without one) and the convolution and pooling layers before the dense ones.
        ImageShape? Image = null,
        EquatableArray<FeatureLayerSpec> Features = default)
    {
        public bool HasFeatures => Features.Count > 0;

        /// <summary>Parameters of the convolution layers, which come first in the flat buffer.</summary>
        public int FeatureParameterCount => System.Linq.Enumerable.Sum(Features, f => f.ParameterCount);

        /// <summary>Population statistics of the batch-normalised convolutions (mean then variance per channel), which come first in the statistics buffer.</summary>
        public int FeatureStatisticsCount => System.Linq.Enumerable.Sum(Features, f => f.GammaBetaCount);

        /// <summary>Number of batch-normalised convolutions, numbered before the batch-normalised dense layers.</summary>
        public int FeatureBatchNormLayers => System.Linq.Enumerable.Count(Features, f => f.BatchNorm);

        public int OutputSize => Layers[Layers.Count - 1].Units;

        public string HintName => (Namespace is null ? "" : Namespace + ".")
            + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + "."))
            + ClassName + ".g.cs";
    }

    /// <summary>Where a diagnostic points, as plain data that can be turned back into a Location.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan);

    /// <summary>A diagnostic as plain data: the descriptor id, where, and the message arguments already formatted.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

    /// <summary>What parsing one declaration gives: a model (null when errors prevent emitting) and its diagnostics.</summary>
    internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
