using System;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace CompiledNet.Generator
{
    /// <summary>
    /// Every diagnostic CompiledNet reports, in one table. Ids are stable: never reuse or renumber one.
    /// docs/diagnostics.md lists each id with an example that triggers it and the fix; AnalyzerReleases.*.md tracks them.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        /// <summary>Errors and warnings that make a declaration wrong: what it says cannot be built, or is ignored.</summary>
        public const string DeclarationCategory = "CompiledNet.Declaration";

        /// <summary>
        /// Advice about how a valid declaration will train; one .editorconfig line silences all of it:
        /// <c>dotnet_analyzer_diagnostic.category-CompiledNet.Training.severity = none</c>.
        /// </summary>
        public const string TrainingCategory = "CompiledNet.Training";

        /// <summary>
        /// Where every help link points: docs/diagnostics.md in the repository whose address src/Directory.Build.props
        /// defines once (CompiledNetRepositoryUrl, also the package's project and repository URL), passed to this assembly
        /// as assembly metadata. An anchor (the id in lower case) follows.
        /// </summary>
        public static readonly string HelpBase = RepositoryUrl() + "/blob/main/docs/diagnostics.md#";

        private static string RepositoryUrl()
        {
            foreach (var attribute in typeof(DiagnosticDescriptors).Assembly.GetCustomAttributes(typeof(AssemblyMetadataAttribute), inherit: false))
                if (attribute is AssemblyMetadataAttribute { Key: "CompiledNet.RepositoryUrl", Value: { Length: > 0 } url })
                    return url.TrimEnd('/');
            throw new InvalidOperationException("CompiledNet.Generator was built without its CompiledNet.RepositoryUrl metadata");
        }

        private static DiagnosticDescriptor Error(string id, string title, string message, string description)
            => new DiagnosticDescriptor(id, title, message, DeclarationCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
                description: description, helpLinkUri: HelpBase + id.ToLowerInvariant());

        private static DiagnosticDescriptor Warning(string id, string category, string title, string message, string description)
            => new DiagnosticDescriptor(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
                description: description, helpLinkUri: HelpBase + id.ToLowerInvariant());

        public static readonly DiagnosticDescriptor NotPartial = Error("CNET0001",
            "Network class must be partial",
            "The network class '{0}' must be declared 'partial' so the generator can add its members",
            "Add the 'partial' modifier to every declaration of the class.");

        public static readonly DiagnosticDescriptor Generic = Error("CNET0002",
            "Network class must not be generic",
            "The network class '{0}' is generic; a compiled network has fixed shapes and cannot have type parameters",
            "Remove the type parameters, or declare one network class per shape.");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("CNET0003",
            "Type containing a network must be partial",
            "The network class '{0}' is nested in '{1}', which is not 'partial'",
            "Mark every enclosing type 'partial', or move the network to namespace level.");

        public static readonly DiagnosticDescriptor InputSize = Error("CNET0004",
            "Input size must be positive",
            "The network's Input must be > 0, but it is {0}",
            "Set [Network(Input = N)] to the number of input features, for example 784 for 28×28 images.");

        public static readonly DiagnosticDescriptor BatchSize = Error("CNET0005",
            "Batch size must be positive",
            "The network's BatchSize must be > 0, but it is {0}",
            "Set [Network(BatchSize = N)] to the mini-batch size: 1 for SGD, the data set size for batch GD.");

        public static readonly DiagnosticDescriptor NoLayers = Error("CNET0006",
            "Network has no layers",
            "The network '{0}' has no layers; add at least one [Dense(units, activation)] attribute",
            "Layers are the [Dense] attributes on the class, applied in source order from input to output.");

        public static readonly DiagnosticDescriptor Units = Error("CNET0007",
            "Layer size must be positive",
            "Layer {0} must have > 0 units, but it has {1}",
            "Give every [Dense] layer a positive number of units.");

        public static readonly DiagnosticDescriptor UndefinedEnum = Error("CNET0008",
            "Value is not a defined enum member",
            "{0} is not a defined {1} value",
            "Use one of the named members of the enum; casts of other integers are not network options.");

        public static readonly DiagnosticDescriptor SoftmaxNotLast = Error("CNET0009",
            "Softmax only on the output layer",
            "Layer {0} of {1} uses Softmax; softmax is only allowed on the output layer",
            "Use ReLU, Tanh, Sigmoid or Linear in hidden layers.");

        public static readonly DiagnosticDescriptor MissingLoss = Error("CNET0010",
            "Network has no loss",
            "The network '{0}' needs a [Loss(...)] attribute to be trained",
            "Add [Loss(LossKind.SoftmaxCrossEntropy)] for a softmax classifier, [Loss(LossKind.LogLoss)] for sigmoid outputs, or [Loss(LossKind.Quadratic)].");

        public static readonly DiagnosticDescriptor LossDoesNotFitOutput = Error("CNET0011",
            "Loss does not fit the output layer",
            "{0} needs {1}, but the output layer is {2} with {3} unit(s)",
            "SoftmaxCrossEntropy needs a Softmax output with at least 2 units; LogLoss needs Sigmoid outputs.");

        public static readonly DiagnosticDescriptor LearningRate = Error("CNET0012",
            "Learning rate must be positive",
            "The learning rate must be > 0 and finite, but it is {0}",
            "Set LearningRate on the [Optimizer] attribute to a small positive number, for example 0.01.");

        public static readonly DiagnosticDescriptor LayersInSeveralDeclarations = Error("CNET0013",
            "Layers declared in several partial declarations",
            "The layers of '{0}' are declared on more than one partial declaration, so their order is ambiguous",
            "Put all [Dense] attributes of a network on one declaration of the class.");

        public static readonly DiagnosticDescriptor OptimizerHyperparameter = Error("CNET0014",
            "Optimizer hyperparameter out of range",
            "{0} must be {1}, but it is {2}",
            "Momentum, Rho, Beta1 and Beta2 are decay factors in [0, 1); Epsilon is a small positive number such as 1e-8.");

        public static readonly DiagnosticDescriptor LearningRateDecay = Error("CNET0015",
            "Learning-rate decay out of range",
            "{0} must be {1}, but it is {2}",
            "Decay multiplies η every DecayEvery epochs: it lies in (0, 1] (1 = constant rate) and DecayEvery is at least 1.");

        public static readonly DiagnosticDescriptor RegularizationStrength = Error("CNET0016",
            "Regularisation strength out of range",
            "{0} must be {1}, but it is {2}",
            "L1 and L2 are penalty weights ≥ 0; WeightDecay multiplies the weights by (1 − WeightDecay) and lies in [0, 1).");

        public static readonly DiagnosticDescriptor UnusedHyperparameter = Warning("CNET0017", DeclarationCategory,
            "Hyperparameter has no effect with this optimizer",
            "{0} has no effect with OptimizerKind.{1}; it is used by {2}",
            "Remove the argument, or choose the optimizer that uses it.");

        public static readonly DiagnosticDescriptor TooLarge = Error("CNET0018",
            "Network too large",
            "{0} is {1}, above the limit of {2}",
            "Sizes are emitted as 32-bit constants and training keeps parameters, gradients and up to two optimizer-state buffers of the same size: CompiledNet limits a network to 50,000,000 parameters (≈ 800 MB of training state), and each training buffer (BatchSize × units of a layer, BatchSize × units × pieces of a maxout layer, BatchSize × Input of the input batch) to 50,000,000 floats. Every size is computed exactly before it is compared, so no product can wrap around. Larger models belong in a general framework.");

        public static readonly DiagnosticDescriptor QuadraticOnSaturatingOutput = Warning("CNET0019", TrainingCategory,
            "Quadratic loss on a saturating output",
            "Quadratic loss on a {0} output learns slowly when the unit saturates (its gradient carries the factor {1}); {2}",
            "The quadratic loss's gradient through a sigmoid is 2(a − y)·σ(1 − σ), nearly 0 when the unit is confidently wrong. Log-loss cancels that factor.");

        public static readonly DiagnosticDescriptor DeepSaturatingStack = new DiagnosticDescriptor("CNET0020",
            "Deep stack of saturating units",
            "Layers {0}–{1} are {2} consecutive Sigmoid/Tanh layers; gradients shrink through each saturated unit, so deep stacks learn slowly — prefer ReLU hidden layers",
            TrainingCategory, DiagnosticSeverity.Info, isEnabledByDefault: true,
            description: "σ′ ≤ 1/4 and tanh′ ≤ 1, and both vanish when a unit saturates: the gradient reaching early layers shrinks with depth. ReLU hidden layers, or batch normalisation (BatchNorm = true), keep it flowing.",
            helpLinkUri: HelpBase + "cnet0020");

        public static readonly DiagnosticDescriptor LayersWithoutNetwork = Warning("CNET0021", DeclarationCategory,
            "Layers without [Network]",
            "'{0}' has [Dense] layers but no [Network] attribute, so no network is generated for it",
            "Add [Network(Input = N)] to the class, or remove the layer attributes.");

        public static readonly DiagnosticDescriptor DropRate = Error("CNET0022",
            "Dropout rate out of range",
            "{0} must be in [0, 1), but it is {1}",
            "A dropout or DropConnect rate is the probability of dropping a unit or weight: 0 turns it off, 1 would drop everything.");

        public static readonly DiagnosticDescriptor BatchNormBatchSizeOne = Error("CNET0023",
            "Batch normalisation needs batches of more than one example",
            "Layer {0} uses BatchNorm, but BatchSize is 1: the batch variance of a single example is 0",
            "Use BatchSize ≥ 2 (typically 32 or more), or remove BatchNorm.");

        public static readonly DiagnosticDescriptor DropoutOnOutput = Error("CNET0024",
            "Dropout on the output layer",
            "Layer {0} is the output layer; dropping outputs would corrupt the loss",
            "Put Dropout on hidden layers (or InputDropout on the network), not on the output layer.");

        public static readonly DiagnosticDescriptor MaxoutPieces = Error("CNET0025",
            "Maxout needs at least two pieces",
            "Layer {0} uses Maxout with Pieces = {1}; a maxout unit takes the largest of k ≥ 2 linear pieces",
            "Set Pieces = 2 or more on the maxout layer, for example [Dense(64, Activation.Maxout, Pieces = 3)].");

        public static readonly DiagnosticDescriptor MaxoutPlacement = Error("CNET0026",
            "Maxout is not supported here",
            "Layer {0} uses Maxout {1}",
            "Maxout is a hidden-layer activation without batch normalisation: the output layer needs Softmax, Sigmoid or another squashing or linear output, and a maxout unit's pieces already give it a learned shape.");

        public static readonly DiagnosticDescriptor RedundantBias = Warning("CNET0027", DeclarationCategory,
            "Bias on a batch-normalised layer is redundant",
            "Layer {0} has BatchNorm, so its bias would be cancelled by the mean subtraction; β plays its role and no bias is generated",
            "Remove Bias = true from the batch-normalised layer.");

        public static readonly DiagnosticDescriptor NotAClass = Error("CNET0028",
            "A network must be a class",
            "'{0}' is declared as a {1}; [Network] needs a 'partial class'",
            "The generator adds a class's members (parameters, buffers, a constructor): declare the network as 'public partial class Name', not as a record, struct or interface.");

        public static readonly DiagnosticDescriptor StaticClass = Error("CNET0029",
            "A network class cannot be static",
            "The network class '{0}' is static; a network is an object created with 'new' that holds its own parameters",
            "Remove the 'static' modifier: each instance of a network class has its own parameters, gradients and optimizer state.");

        public static readonly DiagnosticDescriptor ReservedName = Error("CNET0030",
            "Name reserved by the generated code",
            "{0} cannot be named '{1}': {2}",
            "The generated class declares members such as InputSize, Predict, Input and Output, and a class cannot have a member of its own name; its code uses var, nint and nuint, which a type or namespace of that name would replace. Rename the class, enclosing type or namespace.");

        public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error("CNET0031",
            "C# language version too low for the generated code",
            "The code generated for '{0}' needs C# {1} or later, but the project compiles C# {2}",
            "The generated Input and Output types are inline arrays (C# 12). Use LangVersion 12 or later (the default for net8.0 and later), or remove the LangVersion setting.");

        public static readonly DiagnosticDescriptor PiecesWithoutMaxout = Error("CNET0032",
            "Pieces on a layer that is not maxout",
            "Layer {0} sets Pieces = {1}, but its activation is {2}; only a Maxout layer has pieces",
            "Pieces is the number k of linear pieces of each maxout unit. Remove it, or make the layer [Dense(units, Activation.Maxout, Pieces = k)].");

        // Convolutional networks: CNET0100–CNET0119.

        public static readonly DiagnosticDescriptor ImageShapeInvalid = Error("CNET0100",
            "Image shape must be positive and complete",
            "{0}",
            "An image is declared with [Network(Height = H, Width = W)] and optionally Channels = C (default 1): all three positive, Height and Width both given.");

        public static readonly DiagnosticDescriptor InputDisagreesWithImage = Error("CNET0101",
            "Input does not match the image shape",
            "Input is {0}, but the image {1} has {2} values (Channels × Height × Width); leave Input out to take it from the image",
            "With an image shape, Input is the number of values of one image, channels one after the other: remove Input, or make it Channels × Height × Width.");

        public static readonly DiagnosticDescriptor FeatureLayerWithoutImage = Error("CNET0102",
            "Convolution or pooling needs an image shape",
            "{0} needs an input image, but the network declares none; add Height and Width (and Channels) to [Network]",
            "Convolution and pooling layers work on images: declare the input image with [Network(Channels = C, Height = H, Width = W)].");

        public static readonly DiagnosticDescriptor FeatureLayerAfterDense = Error("CNET0103",
            "Convolution or pooling after a dense layer",
            "{0} comes after dense layer {1}; convolution and pooling layers come before the first [Dense]",
            "A dense layer's output has no image shape: put every [Conv2D], [MaxPool] and [AvgPool] before the first [Dense].");

        public static readonly DiagnosticDescriptor FeatureArgument = Error("CNET0104",
            "Convolution or pooling argument out of range",
            "{0}: {1} must be {2}, but it is {3}",
            "Filters, kernel sizes, window sizes and strides are positive; Padding is ≥ 0 or Padding.Same.");

        public static readonly DiagnosticDescriptor KernelLargerThanInput = Error("CNET0105",
            "Kernel or window larger than its input",
            "{0}: the {1} {2} is larger than the {3} {4}",
            "A kernel or pooling window must fit inside its (padded) input at least once: use a smaller kernel, more padding, or fewer pooling layers before it.");

        public static readonly DiagnosticDescriptor OutputSizeNotWhole = Error("CNET0106",
            "Output size is not a whole number",
            "{0}: the output {1} {2} is not an integer: {3}; the last {4} would never be read",
            "The output size is (input + 2·padding − kernel) / stride + 1. When the stride does not divide (input + 2·padding − kernel), the last rows or columns are silently dropped by frameworks that floor it; CompiledNet refuses the shape instead. Change the stride, the kernel, the padding or the input size.");

        public static readonly DiagnosticDescriptor SamePaddingEvenKernel = Error("CNET0107",
            "Padding.Same needs an odd kernel",
            "{0}: Padding.Same pads (kernel − 1)/2 on each side, but the kernel {1} is {2}, which is even",
            "Same padding is symmetric: use an odd kernel (3, 5, 7), or give the padding as a number.");

        public static readonly DiagnosticDescriptor NotSupportedOnConv = Error("CNET0108",
            "Option not supported on a convolution layer yet",
            "{0}: {1} is not supported on a Conv2D layer yet",
            "Convolution layers support Linear, ReLU, Sigmoid and Tanh activations, bias, per-channel batch normalisation, element-wise dropout, LeCun/Glorot/He initialisation, every optimizer and L1/L2/weight decay. Softmax and Maxout are activations of dense layers only.");

        public static readonly DiagnosticDescriptor InternalError = Error("CNET9999",
            "CompiledNet generator failed",
            "The CompiledNet generator failed on '{0}': {1}",
            "This is a bug in CompiledNet; please report it with the declaration that triggers it.");

        public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
        {
            NotPartial, Generic, ContainingTypeNotPartial, InputSize, BatchSize, NoLayers, Units, UndefinedEnum,
            SoftmaxNotLast, MissingLoss, LossDoesNotFitOutput, LearningRate, LayersInSeveralDeclarations,
            OptimizerHyperparameter, LearningRateDecay, RegularizationStrength, UnusedHyperparameter, TooLarge,
            QuadraticOnSaturatingOutput, DeepSaturatingStack, LayersWithoutNetwork, DropRate, BatchNormBatchSizeOne, DropoutOnOutput,
            MaxoutPieces, MaxoutPlacement, RedundantBias, NotAClass, StaticClass, ReservedName, LanguageVersionTooLow,
            PiecesWithoutMaxout, ImageShapeInvalid, InputDisagreesWithImage, FeatureLayerWithoutImage, FeatureLayerAfterDense,
            FeatureArgument, KernelLargerThanInput, OutputSizeNotWhole, SamePaddingEvenKernel, NotSupportedOnConv, InternalError,
        };

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = new Dictionary<string, DiagnosticDescriptor>();

        public static DiagnosticDescriptor Get(string id)
        {
            lock (ById)
            {
                if (ById.Count == 0)
                    foreach (var d in All) ById[d.Id] = d;
                return ById[id];
            }
        }
    }
}
