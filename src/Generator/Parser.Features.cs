using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Threading;
using CompiledNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace CompiledNet.Generator
{
    // The input image and the convolution and pooling layers of a declaration: their arguments and the shape
    // arithmetic, every size computed in 64 bits (or exactly) before it is compared or stored.
    internal static partial class Parser
    {
        private const string Conv2DAttribute = "CompiledNet.Conv2DAttribute";
        private const string MaxPoolAttribute = "CompiledNet.MaxPoolAttribute";
        private const string AvgPoolAttribute = "CompiledNet.AvgPoolAttribute";

        private static bool IsFeatureAttribute(AttributeData a)
            => a.AttributeClass?.ToDisplayString() is Conv2DAttribute or MaxPoolAttribute or AvgPoolAttribute;

        /// <summary>
        /// [Network(Channels = C, Height = H, Width = W)]: the input image, or null when none is declared or it is
        /// wrong (reported). Sets <paramref name="input"/> to C·H·W when Input is left out; reports an Input that differs.
        /// </summary>
        private static ImageShape? ParseImage(AttributeData network, ref int input, out bool declared, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            int? channels = null, height = null, width = null;
            bool inputGiven = false;
            foreach (var named in network.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Channels" when named.Value.Value is int c: channels = c; break;
                    case "Height" when named.Value.Value is int h: height = h; break;
                    case "Width" when named.Value.Value is int w: width = w; break;
                    case "Input": inputGiven = true; break;
                }
            }
            declared = channels.HasValue || height.HasValue || width.HasValue;
            if (!declared) return null;
            var at = AttributeLocation(network, ct);
            bool ok = true;
            foreach (var (name, value) in new[] { ("Channels", channels), ("Height", height), ("Width", width) })
            {
                if (value is null)
                {
                    if (name == "Channels") continue; // default 1
                    diagnostics.Add(Diag(DiagnosticDescriptors.ImageShapeInvalid, at, $"The image needs both Height and Width, but {name} is missing"));
                    ok = false;
                }
                else if (value <= 0)
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.ImageShapeInvalid, NamedArgumentLocation(network, name, ct) ?? at, $"The image's {name} must be > 0, but it is {Format(value.Value)}"));
                    ok = false;
                }
            }
            if (!ok) return null;
            int c0 = channels ?? 1, h0 = height!.Value, w0 = width!.Value;
            var size = new BigInteger(c0) * h0 * w0;
            if (size > MaxBufferFloats)
            {
                diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, NamedArgumentLocation(network, "Height", ct) ?? at,
                    $"The input image (Channels × Height × Width = {Format(c0)} × {Format(h0)} × {Format(w0)})", Format(size), Format((BigInteger)MaxBufferFloats)));
                return null;
            }
            var image = new ImageShape(c0, h0, w0);
            if (inputGiven && input != image.Size)
                diagnostics.Add(Diag(DiagnosticDescriptors.InputDisagreesWithImage, NamedArgumentLocation(network, "Input", ct) ?? at,
                    Format(input), image.ToString(), Format(image.Size)));
            else
                input = image.Size;
            return image;
        }

        /// <summary>Where a convolution or pooling layer is, for diagnostics that come after its own parsing (sizes).</summary>
        private sealed class FeatureSite
        {
            public FeatureSite(string name, LocationInfo? where) => (Name, Where) = (name, where);

            public string Name { get; }

            public LocationInfo? Where { get; }
        }

        /// <summary>
        /// The [Conv2D], [MaxPool] and [AvgPool] attributes in source order, each checked and its output shape computed
        /// from the one before (the first from the image). Returns the layers whose shapes worked out; after the first
        /// shape error the later layers are checked for their own arguments only (their input shape is unknown).
        /// </summary>
        private static List<FeatureLayerSpec> ParseFeatures(ImmutableArray<AttributeData> attributes, List<AttributeData> dense, ImageShape? image,
            bool imageDeclared, List<DiagnosticInfo> diagnostics, CancellationToken ct, ref bool unreadable, out List<FeatureSite> sites)
        {
            var found = attributes.Where(IsFeatureAttribute).ToList();
            found.Sort((a, b) => (a.ApplicationSyntaxReference?.Span.Start ?? 0).CompareTo(b.ApplicationSyntaxReference?.Span.Start ?? 0));
            var layers = new List<FeatureLayerSpec>();
            sites = new List<FeatureSite>();
            var shape = image;
            for (int k = 0; k < found.Count; k++)
            {
                var a = found[k];
                var kind = a.AttributeClass!.ToDisplayString() switch
                {
                    Conv2DAttribute => FeatureKind.Conv2D,
                    MaxPoolAttribute => FeatureKind.MaxPool,
                    _ => FeatureKind.AvgPool,
                };
                string name = $"{kind} {Format(k + 1)}";
                var where = AttributeLocation(a, ct);
                int start = a.ApplicationSyntaxReference?.Span.Start ?? 0;
                int denseBefore = dense.Count(d => (d.ApplicationSyntaxReference?.Span.Start ?? 0) < start);
                if (denseBefore > 0)
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.FeatureLayerAfterDense, where, name, Format(denseBefore)));
                    shape = null;
                }
                if (!imageDeclared && k == 0)
                    diagnostics.Add(Diag(DiagnosticDescriptors.FeatureLayerWithoutImage, where, name));
                if (a.ConstructorArguments.Length != 1 || a.AttributeConstructor is null)
                {
                    unreadable = true; // the compiler reports the bad constructor call
                    shape = null;
                    continue;
                }
                var layer = kind == FeatureKind.Conv2D
                    ? ParseConv(a, name, shape, diagnostics, ct)
                    : ParsePool(a, kind, name, shape, diagnostics, ct);
                if (layer is null)
                {
                    shape = null;
                    continue;
                }
                layers.Add(layer);
                sites.Add(new FeatureSite(name, where));
                shape = layer.Output;
            }
            return layers;
        }

        private static FeatureLayerSpec? ParseConv(AttributeData a, string name, ImageShape? input, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            int before = diagnostics.Count;
            var at = AttributeLocation(a, ct);
            int filters = a.ConstructorArguments[0].Value is int f ? f : 0;
            if (filters <= 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.FeatureArgument, PositionalArgumentLocation(a, 0, ct) ?? at, name, "the number of filters", "> 0", Format(filters)));
            int kernel = 3, stride = 1, padding = 0;
            int? kernelHeight = null, kernelWidth = null;
            var activation = ActivationKind.ReLU;
            var init = InitKind.He;
            bool bias = true, batchNorm = false;
            float dropout = 0f;
            foreach (var named in a.NamedArguments)
            {
                var where = NamedArgumentLocation(a, named.Key, ct) ?? at;
                switch (named.Key)
                {
                    case "Kernel" when named.Value.Value is int v: kernel = v; Positive("Kernel", v, where); break;
                    case "KernelHeight" when named.Value.Value is int v: kernelHeight = v; Positive("KernelHeight", v, where); break;
                    case "KernelWidth" when named.Value.Value is int v: kernelWidth = v; Positive("KernelWidth", v, where); break;
                    case "Stride" when named.Value.Value is int v: stride = v; Positive("Stride", v, where); break;
                    case "Padding" when named.Value.Value is int v:
                        padding = v;
                        if (v < -1)
                            diagnostics.Add(Diag(DiagnosticDescriptors.FeatureArgument, where, name, "Padding", "≥ 0 or Padding.Same", Format(v)));
                        break;
                    case "Activation":
                        int beforeEnum = diagnostics.Count;
                        activation = ReadEnum<ActivationKind>(named.Value, "Activation", where, diagnostics);
                        if (diagnostics.Count == beforeEnum && activation is ActivationKind.Softmax or ActivationKind.Maxout)
                            diagnostics.Add(Diag(DiagnosticDescriptors.NotSupportedOnConv, where, name, "Activation." + activation));
                        break;
                    case "Init":
                        init = ReadEnum<InitKind>(named.Value, "WeightInit", where, diagnostics);
                        break;
                    case "Bias" when named.Value.Value is bool b:
                        bias = b;
                        break;
                    case "BatchNorm" when named.Value.Value is bool b:
                        batchNorm = b;
                        break;
                    case "Dropout" when named.Value.Value is float p:
                        dropout = p;
                        CheckRate("Dropout", p, where, diagnostics);
                        break;
                }
            }
            if (diagnostics.Count > before || input is null) return null;

            int kh = kernelHeight ?? kernel, kw = kernelWidth ?? kernel;
            LocationInfo? kernelWhere(string side) => NamedArgumentLocation(a, side == "height" ? "KernelHeight" : "KernelWidth", ct) ?? NamedArgumentLocation(a, "Kernel", ct) ?? at;
            bool same = padding == -1; // Padding.Same
            int? Side(string side, int size, int k)
            {
                long pad = same ? (k - 1) / 2 : padding;
                if (same && k % 2 == 0)
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.SamePaddingEvenKernel, NamedArgumentLocation(a, "Padding", ct) ?? at, name, side, Format(k)));
                    return null;
                }
                return OutputSide(name, side, size, k, stride, pad, kernelWhere(side), NamedArgumentLocation(a, "Stride", ct) ?? kernelWhere(side), "kernel", diagnostics);
            }
            int? outH = Side("height", input.Height, kh), outW = Side("width", input.Width, kw);
            if (outH is null || outW is null) return null;
            int padH = same ? (kh - 1) / 2 : padding, padW = same ? (kw - 1) / 2 : padding;
            return new FeatureLayerSpec(FeatureKind.Conv2D, input, new ImageShape(filters, outH.Value, outW.Value), kh, kw, stride, padH, padW, activation, init, bias && !batchNorm, batchNorm, dropout);

            void Positive(string argument, int value, LocationInfo? where)
            {
                if (value <= 0)
                    diagnostics.Add(Diag(DiagnosticDescriptors.FeatureArgument, where, name, argument, "> 0", Format(value)));
            }
        }

        private static FeatureLayerSpec? ParsePool(AttributeData a, FeatureKind kind, string name, ImageShape? input, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            int before = diagnostics.Count;
            var at = AttributeLocation(a, ct);
            var sizeWhere = PositionalArgumentLocation(a, 0, ct) ?? at;
            int size = a.ConstructorArguments[0].Value is int s ? s : 0;
            if (size <= 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.FeatureArgument, sizeWhere, name, "the window size", "> 0", Format(size)));
            int stride = 0;
            var strideWhere = NamedArgumentLocation(a, "Stride", ct);
            foreach (var named in a.NamedArguments)
                if (named.Key == "Stride" && named.Value.Value is int v)
                {
                    stride = v;
                    if (v < 0)
                        diagnostics.Add(Diag(DiagnosticDescriptors.FeatureArgument, strideWhere ?? at, name, "Stride", "> 0 (or 0 for the window size)", Format(v)));
                }
            if (diagnostics.Count > before || input is null) return null;
            if (stride == 0) stride = size;
            int? outH = OutputSide(name, "height", input.Height, size, stride, 0, sizeWhere, strideWhere ?? sizeWhere, "window", diagnostics);
            int? outW = OutputSide(name, "width", input.Width, size, stride, 0, sizeWhere, strideWhere ?? sizeWhere, "window", diagnostics);
            if (outH is null || outW is null) return null;
            return new FeatureLayerSpec(kind, input, new ImageShape(input.Channels, outH.Value, outW.Value), size, size, stride, 0, 0, ActivationKind.Linear, InitKind.LeCun, false);
        }

        /// <summary>
        /// (size + 2·pad − k) / stride + 1 along one side, in 64 bits: null (reported) when the kernel or window does not
        /// fit in the padded input, or the stride does not divide what is left.
        /// </summary>
        private static int? OutputSide(string name, string side, int size, int k, int stride, long pad, LocationInfo? kernelWhere, LocationInfo? strideWhere,
            string what, List<DiagnosticInfo> diagnostics)
        {
            long padded = size + 2 * pad;
            string paddedText = pad == 0 ? Format(size) : $"{Format((BigInteger)padded)} ({Format(size)} + 2·{Format((BigInteger)pad)})";
            if (k > padded)
            {
                diagnostics.Add(Diag(DiagnosticDescriptors.KernelLargerThanInput, kernelWhere, name, $"{what} {side}", Format(k),
                    pad == 0 ? $"input {side}" : $"padded input {side}", paddedText));
                return null;
            }
            long rest = padded - k;
            if (rest % stride != 0)
            {
                string formula = pad == 0
                    ? $"({Format(size)} − {Format(k)}) / {Format(stride)} + 1"
                    : $"({Format(size)} + 2·{Format((BigInteger)pad)} − {Format(k)}) / {Format(stride)} + 1";
                double value = (double)rest / stride + 1;
                long lost = rest % stride;
                string unit = side == "height" ? (lost == 1 ? "row" : "rows") : (lost == 1 ? "column" : "columns");
                diagnostics.Add(Diag(DiagnosticDescriptors.OutputSizeNotWhole, strideWhere, name, side, formula,
                    value.ToString("0.###", CultureInfo.InvariantCulture), $"{Format((BigInteger)lost)} {unit} of the {(pad == 0 ? "" : "padded ")}input"));
                return null;
            }
            long output = rest / stride + 1;
            if (output > MaxBufferFloats)
            {
                diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, kernelWhere, $"{name}'s output {side}", Format((BigInteger)output), Format((BigInteger)MaxBufferFloats)));
                return null;
            }
            return (int)output;
        }

        /// <summary>
        /// The sizes of the convolution and pooling layers, exactly: each training buffer (BatchSize × its output image),
        /// each convolution's unfolded input (channels × kernel × output positions, one image at a time); returns
        /// their parameter count for the network's total.
        /// </summary>
        private static BigInteger CheckFeatureSizes(int batchSize, List<FeatureLayerSpec> layers, List<FeatureSite> sites, List<DiagnosticInfo> diagnostics)
        {
            var parameters = BigInteger.Zero;
            if (batchSize <= 0) return parameters;
            for (int k = 0; k < layers.Count; k++)
            {
                var f = layers[k];
                var o = f.Output;
                var buffer = new BigInteger(batchSize) * o.Channels * o.Height * o.Width;
                if (buffer > MaxBufferFloats)
                    diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, sites[k].Where,
                        $"{sites[k].Name}'s training buffer (BatchSize × output = {Format(batchSize)} × {o})", Format(buffer), Format((BigInteger)MaxBufferFloats)));
                if (f.Kind != FeatureKind.Conv2D) continue;
                var unfolded = new BigInteger(f.Input.Channels) * f.KernelHeight * f.KernelWidth * o.Height * o.Width;
                if (unfolded > MaxBufferFloats)
                    diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, sites[k].Where,
                        $"{sites[k].Name}'s unfolded input (channels × kernel × output positions = {Format(f.Input.Channels)} × {Format(f.KernelHeight)}×{Format(f.KernelWidth)} × {Format(o.Height)}×{Format(o.Width)})",
                        Format(unfolded), Format((BigInteger)MaxBufferFloats)));
                parameters += new BigInteger(o.Channels) * f.Input.Channels * f.KernelHeight * f.KernelWidth + (f.Bias ? o.Channels : 0);
            }
            return parameters;
        }
    }
}
