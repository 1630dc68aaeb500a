using System.Collections.Generic;
using System.Linq;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The convolution and pooling layers of a network as the emitters need them: where each convolution's weights
    /// [out, in, kH, kW] and biases sit (at the start of the flat buffer, before the dense layers), the names of its
    /// training buffers and methods, and the sizes of the per-thread scratch buffers.
    /// </summary>
    internal sealed class FeaturePlans
    {
        public FeaturePlans(NetworkSpec spec)
        {
            var layers = new List<FeaturePlan>();
            int offset = 0, statistics = 0, normalised = 0;
            for (int k = 0; k < spec.Features.Count; k++)
            {
                var f = spec.Features[k];
                layers.Add(new FeaturePlan(f, k, k == spec.Features.Count - 1, offset, f.BatchNorm ? statistics : -1, f.BatchNorm ? normalised : -1));
                offset += f.ParameterCount;
                if (f.BatchNorm)
                {
                    statistics += f.GammaBetaCount;
                    normalised++;
                }
            }
            for (int k = 0; k + 1 < layers.Count; k++)
            {
                if (WinogradPair(spec.Features[k], spec.Features[k + 1])) layers[k].Winograd = true;
                else if (DirectPoolPair(spec.Features[k], spec.Features[k + 1])) layers[k].SetDirectPool(spec.Features[k + 1]);
                else continue;
                layers[k + 1].PooledByConv = true;
                k++;
            }
            Layers = layers;
            Winograd = layers.Where(l => l.Winograd).ToList();
            for (int i = 0; i < Winograd.Count; i++) Winograd[i].WinogradCacheEnd = i + 1 < Winograd.Count ? Winograd[i + 1].WinogradCache : "s_winogradLength";
            Unfolded = layers.Where(l => l.IsConv).Select(l => l.Spec.FanIn * l.ColStride).DefaultIfEmpty(0).Max();
            int planes = layers.Where(l => l.DirectPool).Select(l => l.PlanesLength).DefaultIfEmpty(0).Max();
            Transposed = layers.Where(l => l.TransposedWeightGradient).Select(l => l.Spec.Output.Size + l.Spec.WeightCount).DefaultIfEmpty(0).Max();
            // One example's images of every layer but the last (which the caller gives), then the unfolded input.
            // (rounded up to whole 64-byte lines, so that the unfolded input, and each of its rows, starts on a line)
            // (every layer's image has room, as the exact population pass for batch norm runs the layers one by one;
            // inference skips the images of the convolutions computed with their pooling)
            UnfoldedStart = (spec.Features.Take(spec.Features.Count - 1).Sum(f => f.Output.Size) + 15) & ~15;
            InferScratch = UnfoldedStart + System.Math.Max(Unfolded, planes);
            // Where each Winograd convolution finds scratch in InferFeatures' buffer: over the images before its input,
            // dead by then (so the call touches memory the image already used), when they are long enough.
            int imageOffset = 0;
            for (int k = 0; k < layers.Count; k++)
            {
                if (layers[k].Winograd)
                    layers[k].WinogradFree = k == 0 ? (layers[k + 1].IsLast ? InferScratch : 0) : layers[k - 1].InferOffset;
                if (layers[k].Winograd || layers[k].DirectPool)
                    continue; // no image of its own: computed with the pooling after it
                layers[k].InferOffset = imageOffset;
                imageOffset += spec.Features[k].Output.Size;
            }
            FeaturesLength = Winograd.Count == 0 ? Int(InferScratch) : "s_featuresLength";
            OutputSize = spec.HasFeatures ? spec.Features[spec.Features.Count - 1].Output.Size : 0;
        }

        public IReadOnlyList<FeaturePlan> Layers { get; }

        /// <summary>The convolutions whose inference runs with the max pooling after them through <c>Winograd.ConvolveMaxPool</c>.</summary>
        public IReadOnlyList<FeaturePlan> Winograd { get; }

        /// <summary>
        /// Fewest input channels for which a convolution's inference goes through Winograd's F(2×2, 3×3): its 16 matrix
        /// products have the input channels as their inner dimension, too short below this to repay the transforms (a
        /// first layer on a grey or colour image stays a direct product).
        /// </summary>
        public const int WinogradMinChannels = 8;

        /// <summary>
        /// A 3×3 convolution with stride 1, the same padding on every side, no batch norm, a linear or ReLU activation, at
        /// least <see cref="WinogradMinChannels"/> input channels and an output of even height and width, followed by 2×2
        /// max pooling with stride 2 and no padding: each pooling window is one output tile of F(2×2, 3×3).
        /// </summary>
        private static bool WinogradPair(FeatureLayerSpec conv, FeatureLayerSpec pool)
            => conv.Kind == FeatureKind.Conv2D && conv.KernelHeight == 3 && conv.KernelWidth == 3 && conv.Stride == 1
                && conv.PadHeight == conv.PadWidth && !conv.BatchNorm && conv.Activation is ActivationKind.Linear or ActivationKind.ReLU
                && conv.Input.Channels >= WinogradMinChannels && conv.Output.Height % 2 == 0 && conv.Output.Width % 2 == 0
                && pool.Kind == FeatureKind.MaxPool && pool.KernelHeight == 2 && pool.KernelWidth == 2 && pool.Stride == 2
                && pool.PadHeight == 0 && pool.PadWidth == 0;

        /// <summary>
        /// A convolution with stride 1, no batch norm and a linear or ReLU activation (not computed by Winograd), followed by
        /// 2×2 max pooling with stride 2 and no padding: inference computes the four outputs of each pooling window in
        /// registers and stores only their largest (<see cref="FeaturePlan.DirectPool"/>). ReLU and adding the bias never
        /// reorder two values, so the largest of the four activations is the activation of the largest sum: the same values
        /// as convolving, then pooling.
        /// </summary>
        private static bool DirectPoolPair(FeatureLayerSpec conv, FeatureLayerSpec pool)
            => conv.Kind == FeatureKind.Conv2D && conv.Stride == 1 && !conv.BatchNorm && conv.Activation is ActivationKind.Linear or ActivationKind.ReLU
                && pool.Kind == FeatureKind.MaxPool && pool.KernelHeight == 2 && pool.KernelWidth == 2 && pool.Stride == 2
                && pool.PadHeight == 0 && pool.PadWidth == 0;

        public bool Any => Layers.Count > 0;

        public FeaturePlan Last => Layers[Layers.Count - 1];

        /// <summary>Floats of the largest unfolded input (channels × kernel × output positions) of one image.</summary>
        public int Unfolded { get; }

        /// <summary>
        /// Floats of the per-thread buffer of the convolutions whose weight gradient is the transposed product (see
        /// <see cref="FeaturePlan.TransposedWeightGradient"/>): one image's δᵀ, then the part's ∂L/∂Wᵀ; 0 when none is.
        /// </summary>
        public int Transposed { get; }

        /// <summary>Floats of the per-thread buffer of <c>InferFeatures</c> for its images and the unfolded input.</summary>
        public int InferScratch { get; }

        /// <summary>Where the unfolded input (or a directly pooled convolution's planes) starts in <c>InferFeatures</c>' buffer: after the images, on a 64-byte line.</summary>
        public int UnfoldedStart { get; }

        /// <summary>
        /// The length of <c>InferFeatures</c>' buffer as generated code writes it: <see cref="InferScratch"/>, or the static
        /// field that makes room for the Winograd convolutions' scratch too.
        /// </summary>
        public string FeaturesLength { get; }

        /// <summary>Values of one example after the last convolution or pooling layer: the first dense layer's inputs.</summary>
        public int OutputSize { get; }

        /// <summary>Multiply-adds of one example through the convolutions (forward).</summary>
        public static double ForwardFlop(NetworkSpec spec)
            => spec.Features.Where(f => f.Kind == FeatureKind.Conv2D).Sum(f => 2.0 * f.Output.Channels * f.FanIn * f.Positions);
    }

    /// <summary>One convolution or pooling layer's generated names and parameter offsets.</summary>
    internal sealed class FeaturePlan
    {
        public FeaturePlan(FeatureLayerSpec spec, int index, bool isLast, int weightOffset, int statisticsOffset = -1, int batchNormIndex = -1)
        {
            Spec = spec;
            Index = index;
            IsLast = isLast;
            string k = Int(index + 1);
            Number = k;
            WeightOffset = weightOffset;
            BiasOffset = spec.BiasCount > 0 ? weightOffset + spec.WeightCount : -1;
            GammaOffset = spec.BatchNorm ? weightOffset + spec.WeightCount : -1;
            BetaOffset = spec.BatchNorm ? GammaOffset + spec.Output.Channels : -1;
            StatisticsOffset = statisticsOffset;
            BatchNormIndex = batchNormIndex;
            XHat = "_fxhat" + k;
            InvStd = "_finvStd" + k;
            BatchNormForward = "BatchNorm_F" + k;
            BatchNormBackward = "BatchNormBackward_F" + k;
            InferBatchNorm = "InferBatchNorm_F" + k;
            DropoutMask = "_fdropoutMask" + k;
            DroppedOutputs = "_fad" + k;
            DropoutForward = "Dropout_F" + k;
            Activations = "_fa" + k;
            Deltas = "_fd" + k;
            ArgMax = "_fArgMax" + k;
            Init = "Init_F" + k;
            Image = "Image_F" + k;
            ImageTraining = "ImageTraining_F" + k;
            Unfold = "Unfold_F" + k;
            Fold = "Fold_F" + k;
            InputGradient = "InputGradient_F" + k;
            WeightGradient = "WeightGradient_F" + k;
            // The weight gradient Σ_q δ[o, q]·col[k, q] as dot products along the positions pays a horizontal sum and a
            // scalar tail per (o, k): cheap when the rows are long (a first layer: few inputs, many positions), dearer
            // than transposing δ once per image and running it as the register-blocked product ∂L/∂Wᵀ = col·δᵀ when
            // there are many inputs per filter for few positions (deeper layers).
            TransposedWeightGradient = IsConv && 4 * spec.FanIn > spec.Positions;
            ColStride = spec.Positions > 16 ? (spec.Positions + 15) & ~15 : spec.Positions;
            Forward = "Forward_F" + k;
            Backward = "Backward_F" + k;
            Step = "Step_F" + k;
        }

        public FeatureLayerSpec Spec { get; }

        /// <summary>
        /// Floats from one row of a convolution's unfolded input (and of its gradient) to the next: the output positions,
        /// rounded up to a whole number of 64-byte lines when they are more than one line, so that every row starts on a
        /// line and no vector load of the products straddles two (D's second convolution: 196 positions in rows of 208,
        /// its product of one image about 12% faster on an Intel Xeon with AVX-512). The floats past the positions are
        /// never read.
        /// </summary>
        public int ColStride { get; }

        public int Index { get; }

        public string Number { get; }

        public bool IsLast { get; }

        public bool IsConv => Spec.Kind == FeatureKind.Conv2D;

        public int WeightOffset { get; }

        /// <summary>Offset of the biases (right after the weights), or −1.</summary>
        public int BiasOffset { get; }

        /// <summary>Per-channel batch normalisation: offset of γ (one per channel; β follows), or −1.</summary>
        public int GammaOffset { get; }

        /// <summary>Per-channel batch normalisation: offset of β, or −1.</summary>
        public int BetaOffset { get; }

        /// <summary>Per-channel batch normalisation: offset of the population mean in the statistics buffer (the variance follows), or −1.</summary>
        public int StatisticsOffset { get; }

        /// <summary>0-based index among all batch-normalised layers (convolutions first), or −1.</summary>
        public int BatchNormIndex { get; }

        public bool BatchNorm => Spec.BatchNorm;

        public bool HasDropout => Spec.Dropout > 0;

        /// <summary>Batch norm: x̂ of the batch's rows, kept for backward.</summary>
        public string XHat { get; }

        /// <summary>Batch norm: 1/√(σ² + ε) of each channel over the batch.</summary>
        public string InvStd { get; }

        /// <summary>Batch norm over the whole batch in training: statistics, normalisation, γ and β, the activation (and dropout).</summary>
        public string BatchNormForward { get; }

        /// <summary>Backward through the dropout mask, the activation and batch norm over the whole batch.</summary>
        public string BatchNormBackward { get; }

        /// <summary>Inference: one image's z normalised with the population statistics, then the activation.</summary>
        public string InferBatchNorm { get; }

        /// <summary>Dropout: 0 or 1/(1 − p) per output value and example.</summary>
        public string DropoutMask { get; }

        /// <summary>Dropout: the masked outputs, the next layer's training input.</summary>
        public string DroppedOutputs { get; }

        /// <summary>Dropout: the method that draws the mask and writes the masked copy of rows [start, start + count).</summary>
        public string DropoutForward { get; }

        /// <summary>The buffer the next layer reads in training: the dropout-masked outputs if the layer has dropout.</summary>
        public string TrainingOutput => HasDropout ? DroppedOutputs : Activations;

        /// <summary>The backward pass has something to do: a convolution's gradients, or an input gradient (not for the first layer).</summary>
        public bool HasBackward => IsConv || Index > 0;

        /// <summary>Layer k's output images of the training batch, BatchSize rows.</summary>
        public string Activations { get; }

        /// <summary>∂L/∂ of the outputs, then ∂L/∂z once the activation derivative is applied.</summary>
        public string Deltas { get; }

        /// <summary>Max pooling: the index (in the input image) of each output's largest input, kept for backward.</summary>
        public string ArgMax { get; }

        /// <summary>The buffer of the layer below's deltas (the input gradient's destination); null for the first layer.</summary>
        public string? InputDeltas => Index > 0 ? "_fd" + Int(Index) : null;

        public string Init { get; }
        public string Image { get; }
        public string ImageTraining { get; }
        public string Unfold { get; }
        public string Fold { get; }
        public string InputGradient { get; }
        public string WeightGradient { get; }

        /// <summary>The weight gradient is computed as ∂L/∂Wᵀ = col·δᵀ (register-blocked, δ transposed once per image) rather than as dot products.</summary>
        public bool TransposedWeightGradient { get; }

        public string Forward { get; }
        public string Backward { get; }
        public string Step { get; }

        /// <summary>A convolution whose inference runs together with the max pooling after it through Winograd's F(2×2, 3×3).</summary>
        public bool Winograd { get; set; }

        /// <summary>A max pooling layer that the convolution before it computes in inference (<see cref="Winograd"/> or <see cref="DirectPool"/>).</summary>
        public bool PooledByConv { get; set; }

        /// <summary>
        /// A convolution whose inference runs together with the 2×2 max pooling after it, without Winograd: its input is
        /// unfolded into planes (<see cref="Planes"/> per input channel: for a kernel offset (u, v) and a window offset (a, b),
        /// plane (u + a, v + b) holds the input pixel under it for every pooling window), and each window's four sums are
        /// accumulated in registers side by side and only their largest stored.
        /// </summary>
        public bool DirectPool { get; private set; }

        /// <summary>Direct pooling: the pooling layer's output positions (windows) per channel.</summary>
        public int PooledPositions { get; private set; }

        /// <summary>Direct pooling: the pooling layer's output width (windows per row).</summary>
        public int PooledWidth { get; private set; }

        /// <summary>Direct pooling: the pooling layer's output height.</summary>
        public int PooledHeight { get; private set; }

        /// <summary>Direct pooling: planes per input channel, (kH + 1)·(kW + 1).</summary>
        public int Planes => (Spec.KernelHeight + 1) * (Spec.KernelWidth + 1);

        /// <summary>Direct pooling: floats from one plane to the next, the windows rounded up to whole 64-byte lines (as <see cref="ColStride"/>).</summary>
        public int PlaneStride => PooledPositions > 16 ? (PooledPositions + 15) & ~15 : PooledPositions;

        /// <summary>Direct pooling: floats of one image's planes.</summary>
        public int PlanesLength => Spec.Input.Channels * Planes * PlaneStride;

        /// <summary>Direct pooling: the method that unfolds one input image into the planes.</summary>
        public string UnfoldPooled => "UnfoldPooled_F" + Number;

        /// <summary>Direct pooling: inference of one image through the convolution and the pooling after it.</summary>
        public string ImagePooled => "ImagePooled_F" + Number;

        public void SetDirectPool(FeatureLayerSpec pool)
        {
            DirectPool = true;
            PooledHeight = pool.Output.Height;
            PooledWidth = pool.Output.Width;
            PooledPositions = pool.Output.Height * pool.Output.Width;
        }

        /// <summary>The static field with the offset of this convolution's Winograd cache in <c>t_winograd</c>.</summary>
        public string WinogradCache => "s_winograd_F" + Number;

        /// <summary>The static field where this convolution's Winograd cache ends (the next one's, or the caches' end).</summary>
        public string WinogradCacheEnd { get; set; } = "";

        /// <summary>The static field with the offset of this convolution's Winograd scratch in <c>InferFeatures</c>' buffer.</summary>
        public string WinogradScratch => "s_winogradScratch_F" + Number;

        /// <summary>Floats at the start of <c>InferFeatures</c>' buffer that are free when this Winograd convolution runs.</summary>
        public int WinogradFree { get; set; }

        /// <summary>Where this layer's image (unless it is the last layer's) lies in <c>InferFeatures</c>' buffer.</summary>
        public int InferOffset { get; set; }

        /// <summary>"weights [a..b), biases [b..c)", "weights [a..b) (no biases)" or "no parameters".</summary>
        public string Ranges
            => !IsConv ? "no parameters"
                : $"weights [{Int(WeightOffset)}..{Int(WeightOffset + Spec.WeightCount)}) as [out {Int(Spec.Output.Channels)}, in {Int(Spec.Input.Channels)}, {Int(Spec.KernelHeight)}, {Int(Spec.KernelWidth)}]"
                    + (BiasOffset >= 0 ? $", biases [{Int(BiasOffset)}..{Int(BiasOffset + Spec.BiasCount)})"
                        : GammaOffset >= 0 ? $", γ [{Int(GammaOffset)}..{Int(BetaOffset)}), β [{Int(BetaOffset)}..{Int(BetaOffset + Spec.Output.Channels)})"
                        : " (no biases)");
    }
}
