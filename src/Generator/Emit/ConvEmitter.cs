using System;
using System.Linq;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The convolution and pooling layers' generated code: state, initialisation, the per-image kernels (shared by
    /// inference and training), the training forward and backward over a part's rows, and <c>InferFeatures</c>.
    /// A convolution unfolds its (implicitly zero-padded) input image into a [channels·kH·kW][positions] matrix and
    /// multiplies it by its weights [out][channels·kH·kW] with the register-blocked strip product of the dense layers
    /// (blocks of output channels share each loaded vector of the unfolded input); backward computes the weight
    /// gradient as dot products along the positions, and the input gradient as the transposed product folded back
    /// onto the image. Every size is a constant of the declaration. The methods with vector code (a convolution's image
    /// forward, input gradient and backward) are written once per <see cref="VectorWidth"/> behind a JIT-time dispatch
    /// (<see cref="VectorMethod"/>), their register tiles chosen per width; pooling is scalar and written once.
    /// </summary>
    internal static class ConvEmitter
    {
        /// <summary>Rows of the weight- and input-gradient tiles (unfolded rows, or filters), and of the forward's with 16 registers: 4 × <see cref="VectorWidth.BlockVectors"/> vectors.</summary>
        private const int ProductRows = 4, DotColumns = 4;

        /// <summary>
        /// Forward tile (filters × vectors of positions), measured on D's second convolution (288 unfolded rows × 196
        /// positions, 64 filters) on a Zen 5 core: with 32 vector registers 8 × 3 (24 accumulators; each strip of 48
        /// positions of the unfolded input stays close to L1 while every block of filters passes over it) took 36.7 µs
        /// against 47.2 µs with 4 × 4; with Vector256 4 × 3 took 69.7 µs against 77.1 µs with 4 × 2. With 16 registers
        /// the vectors are left null here and come from <see cref="KernelEmitter.ByRegisterBlock"/>: 4 × 3, and 4 × 2 for
        /// Vector128 without FMA, where 4 × 3 was slower (x64 without AVX2: 258 against 186 µs).
        /// The tile changes no result's bits: each output sums its terms in the same order whatever the tile.
        /// </summary>
        private static (int Rows, int? Vectors) ForwardTile(VectorWidth vw) => vw.Registers >= 32 ? (8, 3) : (ProductRows, null);

        /// <summary>Weight-gradient tile: filters × <see cref="DotColumns"/> unfolded rows of dot products, 4 × 4 with 32 vector registers, else 2 × 4.</summary>
        private static int DotRows(VectorWidth vw) => vw.Registers >= 32 ? 4 : 2;

        private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
        private const string Marshal = "global::System.Runtime.InteropServices.MemoryMarshal";
        private static string Add(string reference, string offset) => $"{Unsafe}.Add(ref {reference}, {offset})";

        /// <summary>The first (64-byte aligned) element of a buffer of the network (an AlignedBuffer expression).</summary>
        private static string Data(string array) => (array.IndexOf(' ') < 0 ? array : "(" + array + ")") + ".Data";

        private static void Summary(IndentedWriter w, FeaturePlan fp, string pass) => w.Line(SummaryText(fp, pass));

        private static string SummaryText(FeaturePlan fp, string pass)
            => $"/// <summary>{Describer.Feature(fp.Spec, fp.Index)} — {pass}. Parameters: {fp.Ranges}.</summary>";

        private static VectorMethod ImageMethod(FeaturePlan fp)
            => new VectorMethod("private static", "void", fp.Image, ("ref float", "p"), ("ref float", "x"), ("ref float", "y"), ("ref float", "col"));

        private static VectorMethod InputGradientMethod(FeaturePlan fp)
            => new VectorMethod("private static", "void", fp.InputGradient, ("ref float", "w"), ("ref float", "dr"), ("ref float", "dcol"));

        /// <summary>Training buffers and per-thread scratch of the convolution and pooling layers.</summary>
        public static void EmitState(IndentedWriter w, FeaturePlans plans)
        {
            w.Line("// Convolution and pooling layers: each layer's output images of the training batch (BatchSize rows, channel by channel) and their deltas.");
            foreach (var fp in plans.Layers)
            {
                string size = $"BatchSize * {Int(fp.Spec.Output.Size)}";
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {fp.Activations} = {NewBuffer(size)}; // {Describer.FeatureName(fp.Spec, fp.Index)}: {fp.Spec.Output}");
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {fp.Deltas} = {NewBuffer(size)};");
                if (fp.Spec.Kind == FeatureKind.MaxPool)
                    w.Line($"private readonly int[] {fp.ArgMax} = new int[{size}]; // {Describer.FeatureName(fp.Spec, fp.Index)}: where each output's maximum is in its input image");
                ConvBatchNormEmitter.EmitFields(w, fp);
                ConvDropoutEmitter.EmitFields(w, fp);
            }
            if (plans.Unfolded > 0)
            {
                w.Line($"// A convolution's unfolded input image and its gradient ({Int(plans.Unfolded)} floats each at most): one buffer per thread, allocated on its first use.");
                w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_unfolded;");
            }
            if (plans.Transposed > 0)
            {
                w.Line($"// The weight gradient as a transposed product: one image's δᵀ and the part's ∂L/∂Wᵀ ({Int(plans.Transposed)} floats at most), one buffer per thread, allocated on its first use.");
                w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_transposed;");
            }
            w.Line($"// InferFeatures: one example's images between the layers and the unfolded input ({Int(plans.InferScratch)} floats"
                + (plans.Winograd.Count > 0 ? ", and the Winograd convolutions' scratch" : "") + "), one buffer per thread.");
            w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_features;");
            EmitWinogradFields(w, plans);
            w.Line();
            w.Line("private static readonly global::CompiledNet.FeatureLayerDescription[] s_featureLayers =");
            using (w.Open())
            {
                foreach (var fp in plans.Layers)
                {
                    var f = fp.Spec;
                    w.Line($"new() {{ Kind = global::CompiledNet.FeatureLayerKind.{f.Kind}, InputChannels = {Int(f.Input.Channels)}, InputHeight = {Int(f.Input.Height)}, InputWidth = {Int(f.Input.Width)}, "
                        + $"OutputChannels = {Int(f.Output.Channels)}, OutputHeight = {Int(f.Output.Height)}, OutputWidth = {Int(f.Output.Width)}, "
                        + $"KernelHeight = {Int(f.KernelHeight)}, KernelWidth = {Int(f.KernelWidth)}, Stride = {Int(f.Stride)}, PadHeight = {Int(f.PadHeight)}, PadWidth = {Int(f.PadWidth)}, "
                        + $"Activation = global::CompiledNet.Activation.{f.Activation}, WeightOffset = {(fp.IsConv ? Int(fp.WeightOffset) : "null")}, BiasOffset = {(fp.BiasOffset >= 0 ? Int(fp.BiasOffset) : "null")}"
                        + (fp.BatchNorm ? $", GammaOffset = {Int(fp.GammaOffset)}, BetaOffset = {Int(fp.BetaOffset)}, StatisticsOffset = {Int(fp.StatisticsOffset)}" : "") + " },");
                }
            }
            w.Line(";");
            w.Line("global::System.Collections.Generic.IReadOnlyList<global::CompiledNet.FeatureLayerDescription> global::CompiledNet.IConvolutional.FeatureLayers => s_featureLayers;");
            w.Line("global::System.ReadOnlySpan<float> global::CompiledNet.IConvolutional.TrainingFeatureActivations(int layer) => layer switch");
            w.Line("{");
            foreach (var fp in plans.Layers) w.Line($"    {fp.Number} => {fp.Activations},");
            w.Line("    _ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"Feature layers are numbered from 1.\"),");
            w.Line("};");
            w.Line();
            w.Line("/// <summary>Channels of the input image.</summary>");
            w.Line($"public const int ImageChannels = {Int(plans.Layers[0].Spec.Input.Channels)};");
            w.Line("/// <summary>Height of the input image.</summary>");
            w.Line($"public const int ImageHeight = {Int(plans.Layers[0].Spec.Input.Height)};");
            w.Line("/// <summary>Width of the input image.</summary>");
            w.Line($"public const int ImageWidth = {Int(plans.Layers[0].Spec.Input.Width)};");
            w.Line();
        }

        public static void EmitInit(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.IsConv) return;
            var f = fp.Spec;
            int fanIn = f.FanIn, fanOut = f.Output.Channels * f.KernelHeight * f.KernelWidth;
            double variance = f.Init switch
            {
                InitKind.Glorot => 2.0 / (fanIn + fanOut),
                InitKind.He => 2.0 / fanIn,
                _ => 1.0 / fanIn,
            };
            string rule = f.Init switch
            {
                InitKind.Glorot => $"√(2 / ({Int(fanIn)} + {Int(fanOut)})) (Glorot, fan-in channels·kH·kW, fan-out filters·kH·kW)",
                InitKind.He => $"√(2 / {Int(fanIn)}) (He, fan-in channels·kH·kW)",
                _ => $"1/√{Int(fanIn)} (LeCun, fan-in channels·kH·kW)",
            };
            Summary(w, fp, "initialisation: weights ~ N(0, sd²) with sd = " + rule + (f.Bias ? ", biases 0" : "") + ConvBatchNormEmitter.InitNote(fp));
            using (w.Open($"private void {fp.Init}(global::CompiledNet.Rng rng)"))
            {
                w.Line($"const float sd = {Float((float)Math.Sqrt(variance))};");
                w.Line($"var weights = _parameters.Slice({Int(fp.WeightOffset)}, {Int(f.WeightCount)});");
                w.Line("for (int j = 0; j < weights.Length; j++) weights[j] = sd * rng.NextGaussian();");
                if (fp.BiasOffset >= 0)
                    w.Line($"_parameters.Slice({Int(fp.BiasOffset)}, {Int(f.BiasCount)}).Clear();");
                ConvBatchNormEmitter.EmitInit(w, fp);
            }
            w.Line();
        }

        /// <summary>The per-image kernels: unfold and fold for a convolution, the image forward, and max pooling's training variant.</summary>
        public static void EmitImageKernels(IndentedWriter w, FeaturePlans plans, FeaturePlan fp)
        {
            var f = fp.Spec;
            switch (f.Kind)
            {
                case FeatureKind.Conv2D:
                    EmitUnfold(w, fp, fold: false);
                    if (fp.Index > 0)
                    {
                        EmitUnfold(w, fp, fold: true);
                        EmitInputGradient(w, fp);
                    }
                    EmitConvImage(w, fp);
                    if (fp.DirectPool)
                    {
                        EmitPooledUnfold(w, fp);
                        EmitPooledImage(w, fp);
                    }
                    if (fp.TransposedWeightGradient) EmitWeightGradient(w, fp);
                    break;
                case FeatureKind.MaxPool:
                    // inference's image (unless the convolution before computes it, and no batch-normalised layer after it
                    // needs it for the exact population statistics, which run the layers below it one by one)
                    if (!fp.PooledByConv || plans.Layers.Any(l => l.Index > fp.Index && l.BatchNorm)) EmitMaxPoolImage(w, fp, training: false);
                    EmitMaxPoolImage(w, fp, training: true);
                    break;
                default:
                    EmitAvgPoolImage(w, fp);
                    break;
            }
        }

        /// <summary>
        /// Unfold: col[(c·kH + u)·kW + v][i·OW + j] = x[c, i·s + u − p, j·s + v − p] (0 in the padding). Fold is its
        /// transpose: dx (cleared first) accumulates every col entry back onto the pixel it came from.
        /// </summary>
        private static void EmitUnfold(IndentedWriter w, FeaturePlan fp, bool fold)
        {
            var f = fp.Spec;
            int c = f.Input.Channels, h = f.Input.Height, wd = f.Input.Width, kh = f.KernelHeight, kw = f.KernelWidth;
            int oh = f.Output.Height, ow = f.Output.Width, s = f.Stride, ph = f.PadHeight, pw = f.PadWidth, positions = f.Positions;
            Summary(w, fp, fold
                ? $"fold: the gradient of the unfolded input ([{Int(f.FanIn)}][{Int(positions)}], rows {Int(fp.ColStride)} floats apart) summed back onto the input image's gradient"
                : $"unfold one input image into col[{Int(f.FanIn)}][{Int(positions)}] (rows {Int(fp.ColStride)} floats apart): row (c·{Int(kh)} + u)·{Int(kw)} + v holds x[c, i·{Int(s)} + u − {Int(ph)}, j·{Int(s)} + v − {Int(pw)}] for every output position (i, j), 0 in the padding");
            string signature = fold ? $"private static void {fp.Fold}(ref float col, ref float x)" : $"private static void {fp.Unfold}(ref float x, ref float col)";
            using (w.Open(signature))
            {
                if (fold) w.Line($"{Marshal}.CreateSpan(ref x, {Int(f.Input.Size)}).Clear();");
                w.Line($"// the kernel columns v written out one by one, so that the output columns j whose input column (j·stride + v − padding) lies inside the image, [lo, hi), are constants; a row is {(fold ? "added" : "copied")} in {VectorWidth.Inline} vectors");
                using (w.Open($"for (int c = 0; c < {Int(c)}; c++)"))
                using (w.Open($"for (int u = 0; u < {Int(kh)}; u++)"))
                {
                    for (int v = 0; v < kw; v++)
                    {
                        // The same integer arithmetic the row copy used at run time before (C#'s division truncates toward zero).
                        int lo = v >= pw ? 0 : (pw + s - 1 - v) / s;
                        int hi = Math.Max(lo, Math.Min(ow, (wd - 1 + pw - v) / s + 1));
                        using (w.Open())
                        {
                            w.Line($"// v = {Int(v)}: columns [{Int(lo)}, {Int(hi)}) from the image{(lo > 0 || hi < ow ? ", the rest padding" : "")}");
                            w.Line($"ref float colRow = ref {Add("col", $"(nuint)((c * {Int(kh)} + u) * {Int(kw)}{(v == 0 ? "" : " + " + Int(v))}) * {Int(fp.ColStride)}")};");
                            using (w.Open($"for (int i = 0; i < {Int(oh)}; i++)"))
                            {
                                w.Line($"ref float colAt = ref {Add("colRow", $"(nuint)(i * {Int(ow)})")};");
                                w.Line($"int y = {(s == 1 ? "i" : $"i * {Int(s)}")} + u{(ph == 0 ? "" : $" - {Int(ph)}")};");
                                if (ph > 0)
                                {
                                    if (fold) w.Line($"if ((uint)y >= {Int(h)}u) continue; // padding: no pixel to give the gradient to");
                                    else w.Line($"if ((uint)y >= {Int(h)}u) {{ {Marshal}.CreateSpan(ref colAt, {Int(ow)}).Clear(); continue; }}");
                                }
                                w.Line($"ref float xRow = ref {Add("x", $"(nuint)((c * {Int(h)} + y) * {Int(wd)})")};");
                                if (!fold)
                                    for (int j = 0; j < ow; j++)
                                        if (j < lo || j >= hi) w.Line($"{Add("colAt", Int(j))} = 0f;");
                                if (hi <= lo) { } // every column padding
                                else if (s == 1)
                                {
                                    w.Line($"ref float image = ref {Add("xRow", Int(lo + v - pw))};");
                                    w.Line($"ref float unfolded = ref {Add("colAt", Int(lo))};");
                                    Elementwise.Unrolled(w, VectorWidth.Inline, hi - lo, fold
                                        ? Stmt.Store("image", Expr.Load("image") + Expr.Load("unfolded"))
                                        : Stmt.Store("unfolded", Expr.Load("image")));
                                }
                                else
                                {
                                    string pixel = Add("xRow", $"j * {Int(s)} + {Int(v - pw)}");
                                    if (v - pw < 0) pixel = Add("xRow", $"j * {Int(s)} - {Int(pw - v)}");
                                    w.Line(fold
                                        ? $"for (int j = {Int(lo)}; j < {Int(hi)}; j++) {pixel} += {Add("colAt", "j")};"
                                        : $"for (int j = {Int(lo)}; j < {Int(hi)}; j++) {Add("colAt", "j")} = {pixel};");
                                }
                            }
                        }
                    }
                }
            }
            w.Line();
        }

        /// <summary>One image through the convolution: unfold, y = W·col (blocks of output channels), then bias and activation per channel.</summary>
        private static void EmitConvImage(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int filters = f.Output.Channels, fanIn = f.FanIn, positions = f.Positions;
            string summary = SummaryText(fp, fp.BatchNorm ? $"forward of one image: z[o] = W[o]·col over the {Int(positions)} output positions, col = the unfolded input (batch norm and the activation follow)"
                : $"forward of one image: y[o] = {f.Activation}(W[o]·col{(f.Bias ? " + b[o]" : "")}) over the {Int(positions)} output positions, col = the unfolded input");
            ImageMethod(fp).Emit(w, summary, vw =>
            {
                w.Line($"{fp.Unfold}(ref x, ref col);");
                w.Line($"ref float w = ref {Add("p", Int(fp.WeightOffset))};");
                w.Line($"const int count = {Int(filters)}; // output channels: the rows of the product");
                w.Line($"// y[o, q] = Σ_k W[o, k]·col[k, q]: legend — w{{r}}: filter r of the block, y{{r}}: its output channel, c{{r}}_{{v}}: accumulators of {Int(vw.Lanes)} positions");
                var (tileRows, tileVectors) = ForwardTile(vw);
                // ReLU or linear with a bias: applied to the registers as they are stored (the same operations in the same
                // order as a pass over y after the product, without reading y back)
                bool bias = fp.BiasOffset >= 0, fused = !fp.BatchNorm && f.Activation is ActivationKind.ReLU or ActivationKind.Linear;
                var product = new KernelEmitter.Product($"for (nuint i = 0; i < {Int(fanIn)}; i++)", k => Add($"w{k}", "i"), "col", $"i * {Int(fp.ColStride)}", k => $"y{k}", null);
                if (fused && (bias || f.Activation == ActivationKind.ReLU))
                {
                    if (bias) w.Line($"ref float b = ref {Add("p", Int(fp.BiasOffset))};");
                    w.Line($"// stored: {(f.Activation == ActivationKind.ReLU ? "ReLU(" : "")}the sum{(bias ? " + b[o]" : "")}{(f.Activation == ActivationKind.ReLU ? ")" : "")}, bk holding b of row k of the block");
                    product.Epilogue = (k, sum) => ActivatedSum(fp, k, sum);
                }
                KernelEmitter.ByRegisterBlock(w, vw, positions, scoped: true, blockVectors =>
                    KernelEmitter.StripProduct(w, vw, tileRows, tileVectors ?? blockVectors, positions, product,
                        rows =>
                        {
                            for (int k = 0; k < rows; k++)
                            {
                                string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                                w.Line($"ref float w{k} = ref {Add("w", $"{row} * {Int(fanIn)}")};");
                                w.Line($"ref float y{k} = ref {Add("y", $"{row} * {Int(positions)}")};");
                                if (product.Epilogue is not null && bias) w.Line($"float b{k} = {Add("b", row)};");
                            }
                        }));
                if (product.Epilogue is null) BiasAndActivation(w, fp, vw);
            });
        }

        /// <summary>
        /// Direct pooling (<see cref="FeaturePlan.DirectPool"/>): unfold one input image into its planes. With stride 1, the
        /// input under kernel offset (u, v) of the convolution output (2i + a, 2j + b) — window (i, j)'s output at offset
        /// (a, b) — is x[c, 2i + (u + a) − ph, 2j + (v + b) − pw]: it depends on u + a and v + b alone, so (kH + 1)·(kW + 1)
        /// planes per channel hold every input the four outputs of every window read (9 + 7 more planes for a 3×3 kernel
        /// instead of 36 unfolded rows).
        /// </summary>
        private static void EmitPooledUnfold(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int c = f.Input.Channels, h = f.Input.Height, wd = f.Input.Width, kh = f.KernelHeight, kw = f.KernelWidth, ph = f.PadHeight, pw = f.PadWidth;
            int oh = fp.PooledHeight, ow = fp.PooledWidth, stride = fp.PlaneStride, windows = fp.PooledPositions;
            Summary(w, fp, $"unfold one input image into {Int(fp.Planes)} planes per channel for the pooling after it ({Int(windows)} windows each, planes {Int(stride)} floats apart): plane (c·{Int(kh + 1)} + r)·{Int(kw + 1)} + t holds x[c, 2i + r − {Int(ph)}, 2j + t − {Int(pw)}] for every pooling window (i, j), 0 in the padding");
            int PlaneAt(int r, int t) => (r * (kw + 1) + t) * stride;
            // The windows j of a row whose input column 2j + t − pw lies inside the image: [lo, hi).
            (int Lo, int Hi) Columns(int t)
            {
                int lo = 0;
                while (lo < ow && 2 * lo + t - pw < 0) lo++;
                int hi = lo;
                while (hi < ow && 2 * hi + t - pw < wd) hi++;
                return (lo, hi);
            }
            bool RowOutside(int i, int r) => (uint)(2 * i + r - ph) >= (uint)h;
            // The input row of window row i in plane row r, as generated code: 2·i + r − ph.
            string InputRow(int r) => $"int y = 2 * i{(r - ph == 0 ? "" : r - ph > 0 ? $" + {Int(r - ph)}" : $" - {Int(ph - r)}")};";
            string Pixel(string row, string column) => Refs.At("x", $"(nuint)((c * {Int(h)} + {row}) * {Int(wd)} + {column})");
            // Window rows [from, to) of plane (r, t) gathered from the image (one row: its input row is a constant).
            void Gather(int r, int t, int from, int to)
            {
                var (lo, hi) = Columns(t);
                bool one = to - from == 1;
                if (one && RowOutside(from, r))
                {
                    w.Line($"{Marshal}.CreateSpan(ref {Refs.At("plane", from * ow)}, {Int(ow)}).Clear(); // its input row is padding");
                    return;
                }
                bool outside = Enumerable.Range(from, to - from).Any(i => RowOutside(i, r));
                using (one ? w.Open() : w.Open($"for (int i = {Int(from)}; i < {Int(to)}; i++)"))
                {
                    w.Line(one ? $"ref float row = ref {Refs.At("plane", from * ow)};" : $"ref float row = ref {Add("plane", $"(nuint)(i * {Int(ow)})")};");
                    w.Line(one ? $"const int y = {Int(2 * from + r - ph)};" : InputRow(r));
                    if (outside)
                        w.Line($"if ((uint)y >= {Int(h)}u) {{ {Marshal}.CreateSpan(ref row, {Int(ow)}).Clear(); continue; }}");
                    for (int j = 0; j < ow; j++)
                        if (j < lo || j >= hi) w.Line($"{Refs.At("row", j)} = 0f;");
                    int offset = t - pw;
                    if (hi > lo)
                        w.Line($"for (int j = {Int(lo)}; j < {Int(hi)}; j++) {Refs.At("row", "(nuint)j")} = {Pixel("y", offset == 0 ? "2 * j" : offset > 0 ? $"2 * j + {Int(offset)}" : $"2 * j - {Int(-offset)}")};");
                }
            }
            using (w.Open($"private static void {fp.UnfoldPooled}(ref float x, ref float planes)"))
            {
                w.Line($"// With stride 1, plane (r + 2, t) is plane (r, t) one row of windows on, and plane (r, t + 2) is plane (r, t) one window on:");
                w.Line($"// only planes (0..1, 0..1) are gathered from the image; the others are copies shifted by {Int(ow)} floats or by 1, their last row or");
                w.Line($"// column gathered.");
                using (c == 1 ? w.Open() : w.Open($"for (int c = 0; c < {Int(c)}; c++)"))
                {
                    if (c == 1) w.Line("const int c = 0;");
                    w.Line($"ref float channel = ref {Add("planes", $"(nuint)c * {Int(fp.Planes * stride)}")};");
                    for (int r = 0; r <= kh; r++)
                        for (int t = 0; t <= kw; t++)
                            using (w.Open())
                            {
                                w.Line($"// plane ({Int(r)}, {Int(t)})");
                                w.Line($"ref float plane = ref {Refs.At("channel", PlaneAt(r, t))};");
                                if (r >= 2)
                                {
                                    if (oh > 1)
                                        w.Line($"{Marshal}.CreateReadOnlySpan(ref {Refs.At("channel", PlaneAt(r - 2, t) + ow)}, {Int((oh - 1) * ow)}).CopyTo({Marshal}.CreateSpan(ref plane, {Int((oh - 1) * ow)}));");
                                    Gather(r, t, oh - 1, oh);
                                }
                                else if (t >= 2)
                                {
                                    if (windows > 1)
                                        w.Line($"{Marshal}.CreateReadOnlySpan(ref {Refs.At("channel", PlaneAt(r, t - 2) + 1)}, {Int(windows - 1)}).CopyTo({Marshal}.CreateSpan(ref plane, {Int(windows - 1)}));");
                                    // the last window of each row: its column, 2(ow − 1) + t − pw, inside the image or padding
                                    int column = 2 * (ow - 1) + t - pw;
                                    bool inside = column >= 0 && column < wd;
                                    w.Line(inside ? $"// the last window of each row: input column {Int(column)}" : $"// the last window of each row: input column {Int(column)}, padding");
                                    using (w.Open($"for (int i = 0; i < {Int(oh)}; i++)"))
                                    {
                                        if (inside) w.Line(InputRow(r));
                                        string value = !inside ? "0f"
                                            : Enumerable.Range(0, oh).Any(i => RowOutside(i, r)) ? $"(uint)y < {Int(h)}u ? {Pixel("y", Int(column))} : 0f" : Pixel("y", Int(column));
                                        w.Line($"{Refs.At("plane", $"(nuint)(i * {Int(ow)} + {Int(ow - 1)})")} = {value};");
                                    }
                                }
                                else
                                    Gather(r, t, 0, oh);
                            }
                }
            }
            w.Line();
        }

        /// <summary>
        /// Direct pooling: one image through the convolution and the 2×2 max pooling after it, for inference. Each block of
        /// filters keeps four accumulators per vector of windows, one for each output of the window, reading the planes
        /// (<see cref="EmitPooledUnfold"/>) at their four offsets; the largest of the four gets the bias and the activation
        /// and is the only value stored. Each sum adds the same terms in the same order as the convolution's own image.
        /// </summary>
        private static void EmitPooledImage(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int filters = f.Output.Channels, fanIn = f.FanIn, channels = f.Input.Channels, kh = f.KernelHeight, kw = f.KernelWidth;
            int windows = fp.PooledPositions, stride = fp.PlaneStride;
            bool bias = fp.BiasOffset >= 0, relu = f.Activation == ActivationKind.ReLU;
            string stored = $"{(relu ? "ReLU(" : "")}the largest of the window's four sums{(bias ? " + b[o]" : "")}{(relu ? ")" : "")}";
            var method = new VectorMethod("private static", "void", fp.ImagePooled, ("ref float", "p"), ("ref float", "x"), ("ref float", "y"), ("ref float", "planes"));
            method.Emit(w, SummaryText(fp, $"inference of one image with the 2×2 max pooling after it: y[o, window] = {stored}, the four sums W[o]·(the planes at the window's four offsets)"), vw =>
            {
                int blockRows = vw.Registers >= 32 ? 4 : 2;
                w.Line($"{fp.UnfoldPooled}(ref x, ref planes);");
                w.Line($"ref float w = ref {Add("p", Int(fp.WeightOffset))};");
                if (bias) w.Line($"ref float b = ref {Add("p", Int(fp.BiasOffset))};");
                w.Line($"const int count = {Int(filters)}; // output channels");
                w.Line($"// registers: c{{r}}_{{a}} accumulate filter r's sums at window offset a (0: top left, 1: top right, 2: bottom left, 3: bottom right) for one vector of windows; in{{a}} holds the planes under kernel offset (u, v) at window offset a, wv{{r}} filter r's weight there in every lane");
                void DeclareRows(int rows)
                {
                    for (int k = 0; k < rows; k++)
                    {
                        string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                        w.Line($"ref float w{k} = ref {Add("w", $"{row} * {Int(fanIn)}")};");
                        w.Line($"ref float y{k} = ref {Add("y", $"{row} * {Int(windows)}")};");
                        if (bias) w.Line($"float b{k} = {Add("b", row)};");
                    }
                }
                Expr Stored(int k, Expr largest) => ActivatedSum(fp, k, largest);
                // The reduction over channels and kernel rows (loops) and kernel columns (written out), its body per
                // kernel column v given the refs of the kernel row's planes (pu) and weights (wu{k}).
                void Reduction(int rows, Action<int> column)
                {
                    void Rows(string channel)
                    {
                        using (w.Open($"for (nuint u = 0; u < {Int(kh)}; u++)"))
                        {
                            w.Line($"ref float pu = ref {Add("pc", $"u * {Int((kw + 1) * stride)}")};");
                            for (int k = 0; k < rows; k++)
                                w.Line($"ref float wu{k} = ref {Add($"w{k}", channel == "" ? $"u * {Int(kw)}" : $"{channel} * {Int(kh * kw)} + u * {Int(kw)}")};");
                            for (int v = 0; v < kw; v++) column(v);
                        }
                    }
                    if (channels == 1)
                    {
                        w.Line("ref float pc = ref window;");
                        Rows("");
                    }
                    else
                        using (w.Open($"for (nuint c = 0; c < {Int(channels)}; c++)"))
                        {
                            w.Line($"ref float pc = ref {Add("window", $"c * {Int(fp.Planes * stride)}")};");
                            Rows("c");
                        }
                }
                // The four planes of kernel offset (u, v) at window offset a: plane (u + a / 2, v + a % 2) of the channel.
                int PlaneOffset(int v, int a) => ((a / 2) * (kw + 1) + v + a % 2) * stride;
                void Chunk(VectorWidth cw, int rows, string? o, int offset)
                {
                    for (int k = 0; k < rows; k++)
                        for (int a = 0; a < 4; a++)
                            w.Line($"var c{k}_{a} = {cw.Zero};");
                    w.Line($"ref float window = ref {Refs.At("planes", Refs.Index(o, offset))};");
                    Reduction(rows, v =>
                    {
                        using (w.Open())
                        {
                            w.Line($"// v = {Int(v)}");
                            for (int a = 0; a < 4; a++)
                                w.Line($"var in{a} = {cw.Load("pu", Int(PlaneOffset(v, a)))};");
                            for (int k = 0; k < rows; k++)
                            {
                                w.Line($"var wv{k} = {cw.Create(Refs.At($"wu{k}", v))};");
                                for (int a = 0; a < 4; a++)
                                    w.Line($"c{k}_{a} = global::CompiledNet.CompilerServices.Kernels.MultiplyAdd(wv{k}, in{a}, c{k}_{a});");
                            }
                        }
                    });
                    for (int k = 0; k < rows; k++)
                    {
                        var largest = Expr.Max(Expr.Max(Expr.Local($"c{k}_0"), Expr.Local($"c{k}_1")), Expr.Max(Expr.Local($"c{k}_2"), Expr.Local($"c{k}_3")));
                        w.Line(cw.Store(Stored(k, largest).Render(Lane.TailStep(cw, 0)), $"y{k}", Refs.Index(o, offset)) + ";");
                    }
                }
                void RowLoops(Action<int> body, bool blocks = true) => KernelEmitter.RowLoops(w, blockRows, blocks, DeclareRows, body);
                int lanes = vw.Lanes, full = windows / lanes;
                if (full > 1)
                    using (w.Open($"for (nuint o = 0; o < {Int(full * lanes)}; o += {Int(lanes)})"))
                        RowLoops(n => Chunk(vw, n, "o", 0));
                else if (full == 1)
                    using (w.Open())
                        RowLoops(n => Chunk(vw, n, null, 0));
                int start = full * lanes;
                foreach (var narrow in vw.Narrower)
                    if (windows - start >= narrow.Lanes)
                    {
                        w.Line($"// windows [{Int(start)}..{Int(start + narrow.Lanes)}): one {narrow}");
                        int at = start;
                        using (w.Open())
                            RowLoops(n => Chunk(narrow, n, null, at));
                        start += narrow.Lanes;
                    }
                if (start < windows)
                {
                    int tail = windows - start;
                    w.Line($"// windows [{Int(start)}..{Int(windows)}): the last {Int(tail)}, scalar, filter by filter");
                    using (w.Open())
                        RowLoops(_ =>
                        {
                            for (int t = 0; t < tail; t++)
                                for (int a = 0; a < 4; a++)
                                    w.Line($"float s{t}_{a} = 0f;");
                            w.Line($"ref float window = ref {Refs.At("planes", start)};");
                            Reduction(1, v =>
                            {
                                w.Line($"float wv{v} = {Refs.At("wu0", v)};");
                                for (int t = 0; t < tail; t++)
                                    for (int a = 0; a < 4; a++)
                                        w.Line($"s{t}_{a} += wv{v} * {Refs.At("pu", PlaneOffset(v, a) + t)};");
                            });
                            for (int t = 0; t < tail; t++)
                            {
                                var largest = Expr.Max(Expr.Max(Expr.Local($"s{t}_0"), Expr.Local($"s{t}_1")), Expr.Max(Expr.Local($"s{t}_2"), Expr.Local($"s{t}_3")));
                                w.Line($"{Refs.At("y0", start + t)} = {Stored(0, largest).Render(Lane.Scalar(start + t))};");
                            }
                        }, blocks: false);
                }
            });
            w.Line();
        }

        /// <summary>
        /// A linear or ReLU convolution's stored value of <paramref name="sum"/> in row <paramref name="k"/> of a block of
        /// filters: its bias added (the local b{k}, when the layer has biases), then the activation.
        /// </summary>
        private static Expr ActivatedSum(FeaturePlan fp, int k, Expr sum)
        {
            var z = fp.BiasOffset >= 0 ? sum + Expr.Broadcast($"b{Int(k)}") : sum;
            return fp.Spec.Activation == ActivationKind.ReLU ? Expr.Max(z, Expr.Zero) : z;
        }

        /// <summary>y[o, q] = f(y[o, q] + b[o]) channel by channel: ReLU and linear in vectors (full ones, then one of each narrower width that fits, then scalars at constant indices), sigmoid and tanh scalar.</summary>
        private static void BiasAndActivation(IndentedWriter w, FeaturePlan fp, VectorWidth vw)
        {
            var f = fp.Spec;
            int positions = f.Positions;
            bool bias = fp.BiasOffset >= 0;
            if (fp.BatchNorm || !bias && f.Activation == ActivationKind.Linear) return; // batch norm: the image keeps z
            w.Line($"// {(bias ? "bias, then " : "")}activation {f.Activation}, channel by channel");
            if (bias) w.Line($"ref float b = ref {Add("p", Int(fp.BiasOffset))};");
            using (w.Open($"for (nuint o = 0; o < {Int(f.Output.Channels)}; o++)"))
            {
                w.Line($"ref float yo = ref {Add("y", $"o * {Int(positions)}")};");
                w.Line(bias ? $"float bo = {Add("b", "o")};" : "const float bo = 0f;");
                if (f.Activation is ActivationKind.ReLU or ActivationKind.Linear)
                {
                    if (positions >= vw.Lanes) w.Line($"var boV = {vw.Create("bo")};");
                    var z = Expr.Load("yo") + Expr.Broadcast("bo");
                    Elementwise.Unrolled(w, vw, positions, Stmt.Store("yo", f.Activation == ActivationKind.ReLU ? Expr.Max(z, Expr.Zero) : z));
                }
                else
                {
                    string scalar = f.Activation == ActivationKind.Sigmoid ? "global::CompiledNet.CompilerServices.Kernels.Sigmoid" : "global::System.MathF.Tanh";
                    using (w.Open($"for (nuint q = 0; q < {Int(positions)}; q++)"))
                        w.Line($"{Add("yo", "q")} = {scalar}({Add("yo", "q")} + bo);");
                }
            }
        }

        private static void EmitMaxPoolImage(IndentedWriter w, FeaturePlan fp, bool training)
        {
            var f = fp.Spec;
            int c = f.Input.Channels, h = f.Input.Height, wd = f.Input.Width, k = f.KernelHeight, s = f.Stride, oh = f.Output.Height, ow = f.Output.Width;
            Summary(w, fp, training ? "training forward of one image: each output the largest of its window, and where it is (the first one on ties)" : "forward of one image: each output the largest of its window");
            using (w.Open(training ? $"private static void {fp.ImageTraining}(ref float x, ref float y, ref int at)" : $"private static void {fp.Image}(ref float x, ref float y)"))
            {
                if (k == 2 && s == 2 && f.PadHeight == 0 && f.PadWidth == 0)
                {
                    // The common 2×2 window with stride 2: each output row from two input rows in vectors, compared in the
                    // order of the scalar form (ScalarMaxPool), so the same bits and, in training, the same winners.
                    w.Line("// each output row from its two input rows, in the widest vectors the machine has (Kernels.LargestOfPairs)" + (training ? ", with where each maximum is" : ""));
                    using (w.Open($"for (int c = 0; c < {Int(c)}; c++)"))
                    using (w.Open($"for (int i = 0; i < {Int(oh)}; i++)"))
                    {
                        w.Line($"int first = (c * {Int(h)} + i * 2) * {Int(wd)};");
                        w.Line($"int output = (c * {Int(oh)} + i) * {Int(ow)};");
                        w.Line(training
                            ? $"global::CompiledNet.CompilerServices.Kernels.LargestOfPairs(ref {Add("x", "(nuint)first")}, {Int(wd)}, ref {Add("y", "(nuint)output")}, ref {Add("at", "(nuint)output")}, {Int(ow)}, first);"
                            : $"global::CompiledNet.CompilerServices.Kernels.LargestOfPairs(ref {Add("x", "(nuint)first")}, {Int(wd)}, ref {Add("y", "(nuint)output")}, {Int(ow)});");
                    }
                }
                else
                    ScalarMaxPool(w, fp, training);
            }
            w.Line();
        }

        /// <summary>Max pooling window by window, scalar: any window and stride; the training forward also records where each maximum is.</summary>
        private static void ScalarMaxPool(IndentedWriter w, FeaturePlan fp, bool training)
        {
            var f = fp.Spec;
            int c = f.Input.Channels, h = f.Input.Height, wd = f.Input.Width, k = f.KernelHeight, s = f.Stride, oh = f.Output.Height, ow = f.Output.Width;
            w.Line("// without branches (which comparison wins depends on the data, so a branch per comparison is hard to predict; branch-free, the training forward took half the time): Kernels.Larger is one max instruction" + (training ? ", Kernels.Select integer arithmetic" : ""));
            using (w.Open($"for (int c = 0; c < {Int(c)}; c++)"))
            using (w.Open($"for (int i = 0; i < {Int(oh)}; i++)"))
            {
                w.Line($"ref float row = ref {Add("x", $"(c * {Int(h)} + i * {Int(s)}) * {Int(wd)}")};");
                w.Line($"int output = (c * {Int(oh)} + i) * {Int(ow)};");
                using (w.Open($"for (int j = 0; j < {Int(ow)}; j++)"))
                {
                    w.Line($"int first = j * {Int(s)};");
                    w.Line($"float best = {Add("row", "first")};");
                    if (training) w.Line("int where = first;");
                    void Compare(string offset)
                    {
                        w.Line($"float value = {Add("row", $"first + {offset}")};");
                        if (training) w.Line($"where = global::CompiledNet.CompilerServices.Kernels.Select(value > best, first + {offset}, where);");
                        w.Line("best = global::CompiledNet.CompilerServices.Kernels.Larger(value, best);");
                    }
                    if (k * k <= 25)
                    {
                        for (int u = 0; u < k; u++)
                            for (int v = 0; v < k; v++)
                                if (u + v > 0)
                                    using (w.Open())
                                        Compare(Int(u * wd + v));
                    }
                    else
                    {
                        using (w.Open($"for (int u = 0; u < {Int(k)}; u++)"))
                        using (w.Open($"for (int v = 0; v < {Int(k)}; v++)"))
                            Compare($"u * {Int(wd)} + v");
                    }
                    w.Line($"{Add("y", "output + j")} = best;");
                    if (training) w.Line($"{Add("at", "output + j")} = (c * {Int(h)} + i * {Int(s)}) * {Int(wd)} + where;");
                }
            }
        }

        private static void EmitAvgPoolImage(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int c = f.Input.Channels, h = f.Input.Height, wd = f.Input.Width, k = f.KernelHeight, s = f.Stride, oh = f.Output.Height, ow = f.Output.Width;
            Summary(w, fp, $"forward of one image: each output the mean of its {Int(k)}×{Int(k)} window");
            using (w.Open($"private static void {fp.Image}(ref float x, ref float y)"))
            {
                w.Line($"const float scale = {Float(1f / (k * k))};");
                using (w.Open($"for (int c = 0; c < {Int(c)}; c++)"))
                using (w.Open($"for (int i = 0; i < {Int(oh)}; i++)"))
                using (w.Open($"for (int j = 0; j < {Int(ow)}; j++)"))
                {
                    w.Line($"int first = (c * {Int(h)} + i * {Int(s)}) * {Int(wd)} + j * {Int(s)};");
                    w.Line("float sum = 0f;");
                    using (w.Open($"for (int u = 0; u < {Int(k)}; u++)"))
                    using (w.Open($"for (int v = 0; v < {Int(k)}; v++)"))
                        w.Line($"sum += {Add("x", $"first + u * {Int(wd)} + v")};");
                    w.Line($"{Add("y", $"(c * {Int(oh)} + i) * {Int(ow)} + j")} = sum * scale;");
                }
            }
            w.Line();
        }

        /// <summary>Training forward over rows [start, start + count): each image through the layer's image kernel into its training buffer.</summary>
        public static void EmitForward(IndentedWriter w, FeaturePlans plans, FeaturePlan fp)
        {
            var f = fp.Spec;
            Summary(w, fp, $"training forward over rows [start, start + count), outputs in {fp.Activations}" + (fp.BatchNorm ? $" (z only: {fp.BatchNormForward} normalises the whole batch after it)" : fp.HasDropout ? $", dropout-masked copy in {fp.DroppedOutputs}" : ""));
            using (w.Open($"private void {fp.Forward}(ref float x, int start, int count)"))
            {
                w.Line($"ref float y = ref {Add(Data(fp.Activations), $"(nuint)start * {Int(f.Output.Size)}")};");
                if (fp.IsConv)
                {
                    w.Line($"ref float p = ref {Data("_parameters")};");
                    w.Line($"ref float col = ref {Data($"t_unfolded ??= {NewBuffer(Int(2 * plans.Unfolded))}")};");
                }
                if (f.Kind == FeatureKind.MaxPool)
                    w.Line($"ref int at = ref {Add($"{Marshal}.GetArrayDataReference({fp.ArgMax})", $"(nuint)start * {Int(f.Output.Size)}")};");
                using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                {
                    string xr = Add("x", $"row * {Int(f.Input.Size)}"), yr = Add("y", $"row * {Int(f.Output.Size)}");
                    w.Line(f.Kind switch
                    {
                        FeatureKind.Conv2D => $"{fp.Image}(ref p, ref {xr}, ref {yr}, ref col);",
                        FeatureKind.MaxPool => $"{fp.ImageTraining}(ref {xr}, ref {yr}, ref {Add("at", $"row * {Int(f.Output.Size)}")});",
                        _ => $"{fp.Image}(ref {xr}, ref {yr});",
                    });
                }
                if (fp.HasDropout && !fp.BatchNorm) w.Line($"{fp.DropoutForward}(start, count);");
            }
            w.Line();
            ConvDropoutEmitter.EmitMethod(w, fp);
            ConvBatchNormEmitter.EmitMethods(w, fp);
        }

        /// <summary>
        /// Backward over rows [start, start + count). On entry the layer's deltas hold ∂L/∂ of its outputs. A convolution:
        /// through the activation, then per image the weight gradient Σ_q δ[o, q]·col[k, q], the bias gradient Σ_q δ[o, q],
        /// and (except for the first layer) the input gradient Wᵀ·δ folded onto the layer below's deltas. A pooling layer:
        /// each output's gradient to the input that won (max) or spread over its window (average).
        /// </summary>
        public static void EmitBackward(IndentedWriter w, FeaturePlans plans, FeaturePlan fp)
        {
            if (!fp.HasBackward) return;
            var f = fp.Spec;
            int inSize = f.Input.Size, outSize = f.Output.Size;
            void Start()
            {
                w.Line($"ref float d = ref {Add(Data(fp.Deltas), $"(nuint)start * {Int(outSize)}")};");
                if (fp.InputDeltas != null)
                    w.Line($"ref float dx = ref {Add(Data(fp.InputDeltas), $"(nuint)start * {Int(inSize)}")};");
            }
            if (fp.IsConv)
            {
                string summary = SummaryText(fp, "backward: " + (fp.BatchNorm ? $"(after {fp.BatchNormBackward}) " : fp.HasDropout ? "dropout mask, activation derivative, " : "activation derivative, ") + "weight" + (f.Bias ? " and bias" : "") + " gradients" + (fp.InputDeltas != null ? $", input gradient into {fp.InputDeltas}" : ""));
                new VectorMethod("private", "void", fp.Backward, ("ref float", "x"), ("int", "start"), ("int", "count"), ("ref float", "g")).Emit(w, summary, vw =>
                {
                    Start();
                    ConvBackward(w, plans, fp, vw);
                });
                return;
            }
            Summary(w, fp, $"backward: each output's gradient to its window's {(f.Kind == FeatureKind.MaxPool ? "largest input" : "inputs")}, into {fp.InputDeltas}");
            using (w.Open($"private void {fp.Backward}(ref float x, int start, int count, ref float g)"))
            {
                Start();
                PoolBackward(w, fp);
            }
            w.Line();
        }

        private static void ConvBackward(IndentedWriter w, FeaturePlans plans, FeaturePlan fp, VectorWidth vw)
        {
            var f = fp.Spec;
            int inSize = f.Input.Size, outSize = f.Output.Size, filters = f.Output.Channels, fanIn = f.FanIn, positions = f.Positions;
            var asDense = new LayerSpec(0, outSize, f.Activation, f.Init, 0f, 0f, false, 1, false);
            if (fp.HasDropout && !fp.BatchNorm) ConvDropoutEmitter.EmitBackward(w, vw, fp, "d", "count", "start");
            if (!fp.BatchNorm) ActivationEmitter.Backward(w, vw, asDense, Add(Data(fp.Activations), $"(nuint)start * {Int(outSize)}"), "d", "count"); // batch norm: its batch step did both
            w.Line($"ref float gw = ref {Add("g", Int(fp.WeightOffset))};");
            w.Line($"{Marshal}.CreateSpan(ref gw, {Int(f.WeightCount + f.BiasCount)}).Clear(); // summed over the rows below");
            w.Line($"ref float w = ref {Add(Data("_parameters"), Int(fp.WeightOffset))};");
            w.Line($"ref float col = ref {Data($"t_unfolded ??= {NewBuffer(Int(2 * plans.Unfolded))}")};");
            if (fp.InputDeltas != null) w.Line($"ref float dcol = ref {Add("col", Int(plans.Unfolded))};");
            if (fp.TransposedWeightGradient)
            {
                w.Line($"ref float dt = ref {Data($"t_transposed ??= {NewBuffer(Int(plans.Transposed))}")}; // δᵀ of one image [{Int(positions)}][{Int(filters)}]");
                w.Line($"ref float gt = ref {Add("dt", Int(outSize))}; // ∂L/∂Wᵀ [{Int(fanIn)}][{Int(filters)}], summed over the rows below");
                w.Line($"{Marshal}.CreateSpan(ref gt, {Int(f.WeightCount)}).Clear();");
            }
            using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
            {
                w.Line($"ref float dr = ref {Add("d", $"row * {Int(outSize)}")};");
                w.Line($"{fp.Unfold}(ref {Add("x", $"row * {Int(inSize)}")}, ref col);");
                if (fp.TransposedWeightGradient)
                {
                    w.Line($"// ∂L/∂Wᵀ[k, o] += Σ_q col[k, q]·δᵀ[q, o]");
                    w.Line($"global::CompiledNet.CompilerServices.Kernels.Transpose({Marshal}.CreateReadOnlySpan(ref dr, {Int(outSize)}), {Int(filters)}, {Int(positions)}, {Marshal}.CreateSpan(ref dt, {Int(outSize)}));");
                    w.Line($"{WeightGradientMethod(fp).NameFor(vw)}(ref col, ref dt, ref gt);");
                }
                else
                {
                    w.Line($"// ∂L/∂W[o, k] += Σ_q δ[o, q]·col[k, q]: {Int(DotRows(vw))} filters × {Int(DotColumns)} unfolded rows at a time");
                    AccumulateDots(w, vw, filters, fanIn, positions, fp.ColStride);
                }
                if (fp.BiasOffset >= 0)
                {
                    w.Line("// ∂L/∂b[o] += Σ_q δ[o, q]");
                    w.Line($"ref float gb = ref {Add("gw", Int(f.WeightCount))};");
                    using (w.Open($"for (nuint o = 0; o < {Int(filters)}; o++)"))
                    {
                        w.Line($"ref float dro = ref {Add("dr", $"o * {Int(positions)}")};");
                        RowSum(w, vw, "dro", positions, "total");
                        w.Line($"{Add("gb", "o")} += total;");
                    }
                }
                if (fp.InputDeltas != null)
                {
                    w.Line($"// ∂L/∂col[k, q] = Σ_o W[o, k]·δ[o, q], then folded onto the input image's gradient");
                    w.Line($"{InputGradientMethod(fp).NameFor(vw)}(ref w, ref dr, ref dcol);");
                    w.Line($"{fp.Fold}(ref dcol, ref {Add("dx", $"row * {Int(inSize)}")});");
                }
            }
            if (fp.TransposedWeightGradient)
                w.Line($"global::CompiledNet.CompilerServices.Kernels.Transpose({Marshal}.CreateReadOnlySpan(ref gt, {Int(f.WeightCount)}), {Int(fanIn)}, {Int(filters)}, {Marshal}.CreateSpan(ref gw, {Int(f.WeightCount)})); // ∂L/∂W = (∂L/∂Wᵀ)ᵀ");
        }

        private static VectorMethod WeightGradientMethod(FeaturePlan fp)
            => new VectorMethod("private static", "void", fp.WeightGradient, ("ref float", "col"), ("ref float", "dt"), ("ref float", "gt"));

        /// <summary>∂L/∂Wᵀ += col·δᵀ for one image: blocks of unfolded rows share each loaded vector of δᵀ (a row of filters).</summary>
        private static void EmitWeightGradient(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int filters = f.Output.Channels, fanIn = f.FanIn, positions = f.Positions;
            string summary = SummaryText(fp, $"weight gradient of one image, transposed: gt[k, o] += Σ_q col[k, q]·δᵀ[q, o]");
            WeightGradientMethod(fp).Emit(w, summary, vw =>
            {
                w.Line($"const int count = {Int(fanIn)}; // unfolded rows: the rows of the product");
                w.Line($"// legend — cr{{r}}: row r of the block in col, g{{r}}: its row of ∂L/∂Wᵀ, c{{r}}_{{v}}: accumulators of {Int(vw.Lanes)} filters");
                KernelEmitter.ByRegisterBlock(w, vw, filters, scoped: false, vectors => KernelEmitter.StripProduct(w, vw, ProductRows, vectors, filters,
                    new KernelEmitter.Product($"for (nuint i = 0; i < {Int(positions)}; i++)", k => Add($"cr{k}", "i"), "dt", $"i * {Int(filters)}", k => $"g{k}", null, accumulate: true),
                    rows =>
                    {
                        for (int k = 0; k < rows; k++)
                        {
                            string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                            w.Line($"ref float cr{k} = ref {Add("col", $"{row} * {Int(fp.ColStride)}")};");
                            w.Line($"ref float g{k} = ref {Add("gt", $"{row} * {Int(filters)}")};");
                        }
                    }));
            });
        }

        /// <summary>∂L/∂col = Wᵀ·δ for one image: blocks of unfolded rows share each loaded vector of δ.</summary>
        private static void EmitInputGradient(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int filters = f.Output.Channels, fanIn = f.FanIn, positions = f.Positions;
            string summary = SummaryText(fp, $"input gradient of one image before folding: dcol[k, q] = Σ_o W[o, k]·δ[o, q]");
            InputGradientMethod(fp).Emit(w, summary, vw =>
            {
                w.Line($"const int count = {Int(fanIn)}; // unfolded rows: the rows of the transposed product");
                w.Line($"// legend — wt{{r}}: column r of the block in W (stride K between filters), dc{{r}}: its row of dcol, c{{r}}_{{v}}: accumulators of {Int(vw.Lanes)} positions");
                KernelEmitter.ByRegisterBlock(w, vw, positions, scoped: false, vectors => KernelEmitter.StripProduct(w, vw, ProductRows, vectors, positions,
                    new KernelEmitter.Product($"for (nuint i = 0; i < {Int(filters)}; i++)", k => Add($"wt{k}", $"i * {Int(fanIn)}"), "dr", $"i * {Int(positions)}", k => $"dc{k}", null),
                    rows =>
                    {
                        for (int k = 0; k < rows; k++)
                        {
                            string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                            w.Line($"ref float wt{k} = ref {Add("w", row)};");
                            w.Line($"ref float dc{k} = ref {Add("dcol", $"{row} * {Int(fp.ColStride)}")};");
                        }
                    }));
            });
        }

        /// <summary>
        /// float <paramref name="total"/> = Σ of the <paramref name="length"/> floats at <paramref name="row"/>: full
        /// vectors into one accumulator, then one vector of each narrower width that fits, then scalars at constant indices.
        /// </summary>
        private static void RowSum(IndentedWriter w, VectorWidth vw, string row, int length, string total)
        {
            int full = length / vw.Lanes * vw.Lanes;
            var terms = new System.Collections.Generic.List<string>();
            if (full > 0)
            {
                w.Line($"var sum = {vw.Zero};");
                w.Line($"for (nuint q = 0; q < {Int(full)}; q += {Int(vw.Lanes)}) sum += {vw.Load(row, "q")};");
                terms.Add(vw.Sum("sum"));
            }
            int at = full;
            foreach (var narrow in vw.Narrower)
                if (length - at >= narrow.Lanes)
                {
                    terms.Add(narrow.Sum(narrow.Load(row, Int(at))));
                    at += narrow.Lanes;
                }
            for (; at < length; at++) terms.Add(Add(row, Int(at)));
            w.Line($"float {total} = {string.Join(" + ", terms)};");
        }

        /// <summary>G[o·K + k] += Σ_q A[o, q]·B[k, q] for o &lt; rows, k &lt; columns, q &lt; length: register blocks of dot products.</summary>
        private static void AccumulateDots(IndentedWriter w, VectorWidth vw, int rows, int columns, int length, int colStride)
        {
            int dotRows = DotRows(vw);
            int rowBlocked = rows / dotRows * dotRows, columnBlocked = columns / DotColumns * DotColumns;
            void Block(string o, string k, int nr, int nc)
            {
                string Plus(string at, int i) => i == 0 ? at : int.TryParse(at, out int literal) ? Int(literal + i) : $"({at} + {Int(i)})";
                for (int a = 0; a < nr; a++)
                    w.Line($"ref float a{a} = ref {Add("dr", $"{Plus(o, a)} * {Int(length)}")};");
                for (int b = 0; b < nc; b++)
                    w.Line($"ref float b{b} = ref {Add("col", $"{Plus(k, b)} * {Int(colStride)}")};");
                KernelEmitter.Dots(w, vw, nr, nc, length, a => $"a{a}", b => $"b{b}", (a, b) => $"float s{a}_{b}");
                for (int a = 0; a < nr; a++)
                    for (int b = 0; b < nc; b++)
                        w.Line($"{Add("gw", $"{Plus(o, a)} * {Int(columns)} + {(b == 0 ? k : $"{k} + {Int(b)}")}")} += s{a}_{b};");
            }
            void Columns(string o, int nr)
            {
                if (columnBlocked > 0)
                    using (w.Open($"for (nuint fk = 0; fk < {Int(columnBlocked)}; fk += {Int(DotColumns)})"))
                        Block(o, "fk", nr, DotColumns);
                if (columnBlocked < columns)
                    using (w.Open())
                        Block(o, Int(columnBlocked), nr, columns - columnBlocked);
            }
            if (rowBlocked > 0)
                using (w.Open($"for (nuint fo = 0; fo < {Int(rowBlocked)}; fo += {Int(dotRows)})"))
                    Columns("fo", dotRows);
            if (rowBlocked < rows)
                using (w.Open())
                {
                    w.Line($"const nuint last = {Int(rowBlocked)};");
                    Columns("last", rows - rowBlocked);
                }
        }

        private static void PoolBackward(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int inSize = f.Input.Size, outSize = f.Output.Size;
            w.Line($"{Marshal}.CreateSpan(ref dx, count * {Int(inSize)}).Clear();");
            if (f.Kind == FeatureKind.MaxPool)
            {
                w.Line($"ref int at = ref {Add($"{Marshal}.GetArrayDataReference({fp.ArgMax})", $"(nuint)start * {Int(outSize)}")};");
                using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                {
                    w.Line($"ref float dxr = ref {Add("dx", $"row * {Int(inSize)}")};");
                    w.Line($"ref float dr = ref {Add("d", $"row * {Int(outSize)}")};");
                    w.Line($"ref int ar = ref {Add("at", $"row * {Int(outSize)}")};");
                    w.Line($"for (nuint q = 0; q < {Int(outSize)}; q++) {Add("dxr", $"(nuint){Add("ar", "q")}")} += {Add("dr", "q")};");
                }
                return;
            }
            int c = f.Input.Channels, h = f.Input.Height, wd = f.Input.Width, k = f.KernelHeight, s = f.Stride, oh = f.Output.Height, ow = f.Output.Width;
            w.Line($"const float scale = {Float(1f / (k * k))};");
            using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
            {
                w.Line($"ref float dxr = ref {Add("dx", $"row * {Int(inSize)}")};");
                w.Line($"ref float dr = ref {Add("d", $"row * {Int(outSize)}")};");
                using (w.Open($"for (int c = 0; c < {Int(c)}; c++)"))
                using (w.Open($"for (int i = 0; i < {Int(oh)}; i++)"))
                using (w.Open($"for (int j = 0; j < {Int(ow)}; j++)"))
                {
                    w.Line($"float share = {Add("dr", $"(c * {Int(oh)} + i) * {Int(ow)} + j")} * scale;");
                    w.Line($"int first = (c * {Int(h)} + i * {Int(s)}) * {Int(wd)} + j * {Int(s)};");
                    using (w.Open($"for (int u = 0; u < {Int(k)}; u++)"))
                    using (w.Open($"for (int v = 0; v < {Int(k)}; v++)"))
                        w.Line($"{Add("dxr", $"first + u * {Int(wd)} + v")} += share;");
                }
            }
        }

        /// <summary>
        /// The per-thread buffer of the convolutions that InferFeatures runs through Winograd's F(2×2, 3×3) with their max
        /// pooling: each one's cache (its transformed filters, whose layout depends on the machine's vector width); and
        /// where each one's scratch lies in InferFeatures' buffer. The offsets are computed when the class is first used.
        /// </summary>
        private static void EmitWinogradFields(IndentedWriter w, FeaturePlans plans)
        {
            if (plans.Winograd.Count == 0) return;
            w.Line("// InferFeatures runs " + string.Join(", ", plans.Winograd.Select(fp => Describer.FeatureName(fp.Spec, fp.Index))) + " with the max pooling after "
                + (plans.Winograd.Count == 1 ? "it" : "each") + " through Winograd's F(2×2, 3×3).");
            w.Line("// Per thread: the transformed filters with a copy of the weights they were made from (transformed again whenever the");
            w.Line("// weights differ); their layout depends on the machine's vector width. Each call's scratch lies in t_features: over");
            w.Line("// the images before its input, which are dead by then, when they are long enough, else over the unfolded input (not in use");
            w.Line("// during the call), else after the buffer's other contents.");
            w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_winograd;");
            string end = "0";
            foreach (var fp in plans.Winograd)
            {
                w.Line($"private static readonly int {fp.WinogradCache} = {end};");
                end = $"{fp.WinogradCache} + global::CompiledNet.CompilerServices.Winograd.CacheLength({Int(fp.Spec.Input.Channels)}, {Int(fp.Spec.Output.Channels)})";
            }
            w.Line($"private static readonly int s_winogradLength = {end};");
            string length = Int(plans.InferScratch);
            foreach (var fp in plans.Winograd)
            {
                var f = fp.Spec;
                string scratch = $"global::CompiledNet.CompilerServices.Winograd.ScratchLength({Int(f.Input.Channels)}, {Int(f.Output.Channels)}, {Int(f.Input.Height)}, {Int(f.Input.Width)}, {Int(f.PadHeight)})";
                w.Line($"private static readonly int {fp.WinogradScratch} = {scratch} <= {Int(fp.WinogradFree)} ? 0 : {scratch} <= {Int(plans.InferScratch - plans.UnfoldedStart)} ? {Int(plans.UnfoldedStart)} : {Int(plans.InferScratch)};");
                length = $"global::System.Math.Max({length}, {fp.WinogradScratch} + {scratch})";
            }
            w.Line($"private static readonly int s_featuresLength = {length};");
        }

        public static void EmitInferFeatures(IndentedWriter w, FeaturePlans plans)
        {
            bool anyWinograd = plans.Winograd.Count > 0;
            w.Line($"/// <summary>One example through the convolution and pooling layers: x (the image, {Int(plans.Layers[0].Spec.Input.Size)} values) into y ({Int(plans.OutputSize)} values, channel by channel, the first dense layer's input)"
                + (anyWinograd ? "; refresh: first make sure this thread's Winograd filters are those of the current weights (PredictBatch does it once per chunk)" : "") + ".</summary>");
            using (w.Open(anyWinograd ? "private void InferFeatures(ref float x, ref float y, bool refresh = true)" : "private void InferFeatures(ref float x, ref float y)"))
            {
                w.Line($"ref float p = ref {Data("_parameters")};");
                if (anyWinograd)
                {
                    w.Line($"global::CompiledNet.CompilerServices.AlignedBuffer features = t_features ??= {NewBuffer(plans.FeaturesLength)};");
                    w.Line("ref float s = ref features.Data;");
                    w.Line($"global::System.Span<float> winograd = t_winograd ??= {NewBuffer("s_winogradLength")};");
                }
                else w.Line($"ref float s = ref {Data($"t_features ??= {NewBuffer(plans.FeaturesLength)}")};");
                string input = "x";
                FeaturePlan? conv = null;
                foreach (var fp in plans.Layers)
                {
                    if (fp.Winograd || fp.DirectPool)
                    {
                        conv = fp; // computed with the pooling layer after it, into that layer's output
                        continue;
                    }
                    string output = fp.IsLast ? "y" : "f" + fp.Number;
                    if (!fp.IsLast) w.Line($"ref float {output} = ref {Add("s", Int(fp.InferOffset))};");
                    if (fp.PooledByConv && conv is not null)
                    {
                        if (conv.Winograd) EmitWinogradCall(w, conv, fp, input, output);
                        else
                        {
                            w.Line($"// {Describer.FeatureName(conv.Spec, conv.Index)} and {Describer.FeatureName(fp.Spec, fp.Index)} together: each pooling window's four sums in registers, the largest stored");
                            w.Line($"{conv.ImagePooled}(ref p, ref {input}, ref {output}, ref {Add("s", Int(plans.UnfoldedStart))});");
                        }
                        input = output;
                        conv = null;
                        continue;
                    }
                    w.Line(fp.IsConv ? $"{fp.Image}(ref p, ref {input}, ref {output}, ref {Add("s", Int(plans.UnfoldedStart))});" : $"{fp.Image}(ref {input}, ref {output});");
                    if (fp.BatchNorm) w.Line($"{fp.InferBatchNorm}(ref {output});");
                    input = output;
                }
            }
            w.Line();
        }

        /// <summary>The convolution <paramref name="conv"/> and the max pooling <paramref name="pool"/> after it on one image, from <paramref name="input"/> into <paramref name="output"/>.</summary>
        private static void EmitWinogradCall(IndentedWriter w, FeaturePlan conv, FeaturePlan pool, string input, string output)
        {
            var f = conv.Spec;
            string weights = $"_parameters.Slice({Int(conv.WeightOffset)}, {Int(f.WeightCount)})";
            string bias = conv.BiasOffset >= 0 ? $"_parameters.Slice({Int(conv.BiasOffset)}, {Int(f.BiasCount)})" : "default";
            string activation = "global::CompiledNet.CompilerServices.GemmActivation." + (f.Activation == ActivationKind.ReLU ? "ReLU" : "Identity");
            w.Line($"// {Describer.FeatureName(f, conv.Index)} and {Describer.FeatureName(pool.Spec, pool.Index)} together: Winograd's F(2×2, 3×3), each 2×2 pooling window one output tile");
            string cache = $"winograd.Slice({conv.WinogradCache}, {conv.WinogradCacheEnd} - {conv.WinogradCache})";
            w.Line($"if (refresh) global::CompiledNet.CompilerServices.Winograd.Refresh({weights}, {Int(f.Input.Channels)}, {Int(f.Output.Channels)}, {cache});");
            w.Line($"global::CompiledNet.CompilerServices.Winograd.ConvolveMaxPool({cache}, {bias}, "
                + $"global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref {input}, {Int(f.Input.Size)}), "
                + $"{Int(f.Input.Channels)}, {Int(f.Input.Height)}, {Int(f.Input.Width)}, {Int(f.PadHeight)}, {Int(f.Output.Channels)}, {activation}, "
                + $"global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref {output}, {Int(pool.Spec.Output.Size)}), features.Span.Slice({conv.WinogradScratch}));");
        }
    }
}
