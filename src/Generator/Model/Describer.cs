using System.Collections.Generic;
using System.Linq;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Model
{
    /// <summary>
    /// The declaration in words, for the generated documentation, the <c>Architecture</c> constant and the checkpoint
    /// fingerprint. A layer's options are always named in one order: batch norm, dropout, DropConnect.
    /// </summary>
    internal static class Describer
    {
        /// <summary>
        /// The layer's options in the one order every description uses: batch norm, dropout, DropConnect.
        /// </summary>
        public static IEnumerable<string> Options(LayerSpec layer)
        {
            if (layer.BatchNorm) yield return "batch norm";
            if (layer.Dropout > 0) yield return "dropout " + Number(layer.Dropout);
            if (layer.DropConnect > 0) yield return "DropConnect " + Number(layer.DropConnect);
        }

        /// <summary>"Dense 784 → 256 ReLU, batch norm, dropout 0.2": the heading of each layer's generated methods.</summary>
        public static string Layer(LayerSpec layer)
            => $"Dense {Int(layer.Inputs)} → {Int(layer.Units)} {layer.Activation}"
                + (layer.Activation == ActivationKind.Maxout ? $" of {Int(layer.Pieces)} pieces" : "")
                + string.Concat(Options(layer).Select(o => ", " + o));

        /// <summary>"256 ReLU (batch norm, dropout 0.2)": a layer inside the <see cref="Architecture"/> text.</summary>
        private static string LayerInArchitecture(LayerSpec layer)
        {
            var options = new List<string>();
            if (layer.Activation == ActivationKind.Maxout) options.Add($"{Int(layer.Pieces)} pieces");
            options.AddRange(Options(layer));
            if (!layer.Bias && !layer.BatchNorm) options.Add("no bias");
            return $"{Int(layer.Units)} {layer.Activation}" + (options.Count > 0 ? $" ({string.Join(", ", options)})" : "");
        }

        /// <summary>"Conv2D 1" or "MaxPool 2": a convolution or pooling layer's name, numbered among those layers.</summary>
        public static string FeatureName(FeatureLayerSpec f, int index) => $"{f.Kind} {Int(index + 1)}";

        /// <summary>"3×3 kernel, stride 1, padding 1, ReLU" or "2×2 window, stride 2": a convolution's or pooling layer's options.</summary>
        public static string FeatureOptions(FeatureLayerSpec f)
            => f.Kind == FeatureKind.Conv2D
                ? $"{Int(f.KernelHeight)}×{Int(f.KernelWidth)} kernel, stride {Int(f.Stride)}, padding "
                    + (f.PadHeight == f.PadWidth ? Int(f.PadHeight) : $"{Int(f.PadHeight)}×{Int(f.PadWidth)}") + $", {f.Activation}" + (f.BatchNorm ? ", batch norm" : f.Bias ? "" : ", no bias") + (f.Dropout > 0 ? $", dropout {Number(f.Dropout)}" : "")
                : $"{Int(f.KernelHeight)}×{Int(f.KernelWidth)} window, stride {Int(f.Stride)}";

        /// <summary>"Conv2D 1: 1×28×28 → 32×28×28, 3×3 kernel, stride 1, padding 1, ReLU": the heading of the layer's generated methods.</summary>
        public static string Feature(FeatureLayerSpec f, int index)
            => $"{FeatureName(f, index)}: {f.Input} → {f.Output}, {FeatureOptions(f)}";

        /// <summary>"1×28×28 → 32×28×28 Conv2D (3×3 kernel, …) → 32×14×14 MaxPool (…) → ": the image part of a description, empty without one.</summary>
        private static string FeatureChain(NetworkSpec spec)
            => spec.Image is null ? "" : spec.Image + string.Concat(spec.Features.Select(f => $" → {f.Output} {f.Kind} ({FeatureOptions(f)})"));

        /// <summary>The declaration in words: every layer with its options, the loss, the optimizer, the batch.</summary>
        public static string Architecture(NetworkSpec spec)
            => (spec.HasFeatures ? FeatureChain(spec) + $" → flattened {Int(spec.Layers[0].Inputs)}" : spec.Image is null ? Int(spec.InputSize) : $"{spec.Image} ({Int(spec.InputSize)})")
            + $"{string.Concat(spec.Layers.Select(l => " → " + LayerInArchitecture(l)))}; {Loss(spec.Loss)}; {Optimizer(spec.Optimizer)}{Regularization(spec.Regularization)}; batch {Int(spec.BatchSize)}"
                + (spec.InputDropout > 0 ? $"; input dropout {Number(spec.InputDropout)}" : "");

        /// <summary>"784 → 256 ReLU → 10 Softmax": the shapes alone.</summary>
        public static string Shape(NetworkSpec spec)
            => (spec.HasFeatures ? spec.Image + string.Concat(spec.Features.Select(f => $" → {f.Output} {f.Kind}")) + $" → flattened {Int(spec.Layers[0].Inputs)}"
                : spec.Image is null ? Int(spec.InputSize) : $"{spec.Image} ({Int(spec.InputSize)})") + string.Concat(spec.Layers.Select(l => $" → {Int(l.Units)} {l.Activation}"));

        public static string Loss(LossKind loss) => loss switch
        {
            LossKind.SoftmaxCrossEntropy => "softmax cross-entropy",
            LossKind.LogLoss => "log-loss",
            _ => "quadratic loss",
        };

        public static string Optimizer(OptimizerSpec o) => o.Kind switch
        {
            OptimizerKind.Momentum => $"momentum (η = {Number(o.LearningRate)}, γ = {Number(o.Momentum)})",
            OptimizerKind.Nesterov => $"Nesterov momentum (η = {Number(o.LearningRate)}, γ = {Number(o.Momentum)})",
            OptimizerKind.Adagrad => $"Adagrad (η = {Number(o.LearningRate)}, ε = {Number(o.Epsilon)})",
            OptimizerKind.RmsProp => $"RMSProp (η = {Number(o.LearningRate)}, ρ = {Number(o.Rho)}, ε = {Number(o.Epsilon)})",
            OptimizerKind.Adam => $"Adam (η = {Number(o.LearningRate)}, β1 = {Number(o.Beta1)}, β2 = {Number(o.Beta2)}, ε = {Number(o.Epsilon)})",
            _ => $"SGD (η = {Number(o.LearningRate)})",
        } + (o.Decay != 1f ? (o.DecayEvery == 1 ? $", η ×{Number(o.Decay)} per epoch" : $", η ×{Number(o.Decay)} every {Int(o.DecayEvery)} epochs") : "");

        /// <summary>"; weight decay 0.001, L1 0.0001", or empty without regularisation.</summary>
        public static string Regularization(RegularizationSpec r)
        {
            var parts = new List<string>();
            if (r.WeightDecay > 0) parts.Add($"weight decay {Number(r.WeightDecay)}");
            if (r.L1 > 0) parts.Add($"L1 {Number(r.L1)}");
            if (r.L2 > 0) parts.Add($"L2 {Number(r.L2)}");
            return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
        }

        /// <summary>
        /// FNV-1a 64 of a canonical text of every shape and option. The text's format is part of the checkpoint format:
        /// change it only with a new format version.
        /// </summary>
        public static ulong Fingerprint(NetworkSpec spec)
        {
            var text = new System.Text.StringBuilder("CompiledNet/1");
            text.Append($";in={Int(spec.InputSize)};batch={Int(spec.BatchSize)};inputDropout={Number(spec.InputDropout)}");
            if (spec.Image is { } image)
                text.Append($";image={Int(image.Channels)},{Int(image.Height)},{Int(image.Width)}");
            foreach (var f in spec.Features)
                text.Append($";{f.Kind}({Int(f.Output.Channels)},{Int(f.KernelHeight)},{Int(f.KernelWidth)},{Int(f.Stride)},{Int(f.PadHeight)},{Int(f.PadWidth)},{(int)f.Activation},{(int)f.Init},{(f.Bias ? 1 : 0)}" + (f.BatchNorm || f.Dropout > 0 ? $",{(f.BatchNorm ? 1 : 0)},{Number(f.Dropout)}" : "") + ")");
            foreach (var l in spec.Layers)
                text.Append($";dense({Int(l.Units)},{(int)l.Activation},{(int)l.Init},{Number(l.Dropout)},{Number(l.DropConnect)},{(l.BatchNorm ? 1 : 0)},{Int(l.Pieces)},{(l.Bias ? 1 : 0)})");
            var o = spec.Optimizer;
            text.Append($";loss={(int)spec.Loss};opt={(int)o.Kind}({Number(o.LearningRate)},{Number(o.Momentum)},{Number(o.Rho)},{Number(o.Beta1)},{Number(o.Beta2)},{Number(o.Epsilon)},{Number(o.Decay)},{Int(o.DecayEvery)})");
            var r = spec.Regularization;
            text.Append($";reg({Number(r.L2)},{Number(r.L1)},{Number(r.WeightDecay)})");
            ulong hash = 14695981039346656037UL;
            foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text.ToString()))
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }
            return hash;
        }
    }
}
