using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Per-channel batch normalisation of a convolution (Ioffe and Szegedy, 2015, arXiv:1502.03167, section 3.2): the
    /// statistics of each output channel are taken over every example of the batch and every position of its feature
    /// map, with one γ and one β per channel; the convolution has no bias. As for a dense layer, the pre-activation z is
    /// normalised, then γ·ẑ + β, then the activation. The convolution's image kernel writes z only; this emitter writes
    /// the step over the whole batch that follows it in training (statistics, normalisation, running averages, the
    /// activation and the layer's dropout), the backward through it, inference with the population statistics, and the
    /// exact population pass's accumulation.
    /// </summary>
    internal static class ConvBatchNormEmitter
    {
        private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

        private static string Add(string reference, string offset) => $"{Unsafe}.Add(ref {reference}, {offset})";

        /// <summary>The first (64-byte aligned) element of a buffer of the network (an AlignedBuffer expression).</summary>
        private static string Data(string array) => (array.IndexOf(' ') < 0 ? array : "(" + array + ")") + ".Data";

        private static string Summary(FeaturePlan fp, string pass) => $"/// <summary>{Describer.Feature(fp.Spec, fp.Index)} — {pass}.</summary>";

        /// <summary>The training buffers: x̂ of the batch for backward, and each channel's 1/√(σ² + ε).</summary>
        public static void EmitFields(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.BatchNorm) return;
            string name = Describer.FeatureName(fp.Spec, fp.Index);
            w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {fp.XHat} = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(BatchSize * {Int(fp.Spec.Output.Size)}); // {name}: normalised x̂ for batch-norm backward");
            w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {fp.InvStd} = {NewBuffer(Int(fp.Spec.Output.Channels))}; // {name}: 1/√(σ² + ε) of each channel over the batch");
        }

        /// <summary>γ = 1 and β = 0 per channel; population mean 0 and variance 1 (inside the layer's Init method).</summary>
        public static void EmitInit(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.BatchNorm) return;
            int channels = fp.Spec.Output.Channels;
            w.Line($"_parameters.Slice({Int(fp.GammaOffset)}, {Int(channels)}).Fill(1f); // γ");
            w.Line($"_parameters.Slice({Int(fp.BetaOffset)}, {Int(channels)}).Clear(); // β");
            w.Line($"_batchNormStatistics.Slice({Int(fp.StatisticsOffset)}, {Int(channels)}).Clear(); // population mean");
            w.Line($"_batchNormStatistics.Slice({Int(fp.StatisticsOffset + channels)}, {Int(channels)}).Fill(1f); // population variance");
        }

        /// <summary>The words the initialisation's summary adds.</summary>
        public static string InitNote(FeaturePlan fp) => fp.BatchNorm ? ", γ = 1, β = 0 per channel" : "";

        /// <summary>The methods: the training step over the whole batch, its backward, and inference of one image.</summary>
        public static void EmitMethods(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.BatchNorm) return;
            EmitForward(w, fp);
            EmitBackward(w, fp);
            EmitInference(w, fp);
        }

        /// <summary>
        /// acc (a vector) and tail (a float) += <paramref name="term"/> over every position q of channel o of every row:
        /// full vectors, then scalars; <paramref name="term"/> renders a vector or a scalar term from the element's ref and index.
        /// </summary>
        private static void SumOverRows(IndentedWriter w, VectorWidth vw, FeaturePlan fp, string total, System.Func<bool, string> term)
        {
            int positions = fp.Spec.Positions, size = fp.Spec.Output.Size, full = positions / vw.Lanes * vw.Lanes;
            w.Line($"float {total};");
            using (w.Open())
            {
                w.Line($"var acc = {vw.Zero};");
                w.Line("float tail = 0f;");
                using (w.Open("for (nuint r = 0; r < rows; r++)"))
                {
                    w.Line($"ref float yo = ref {Add("y", $"r * {Int(size)} + o * {Int(positions)}")};");
                    w.Line($"ref float xo = ref {Add("xhat", $"r * {Int(size)} + o * {Int(positions)}")};");
                    if (full > 0)
                        w.Line($"for (nuint q = 0; q < {Int(full)}; q += {Int(vw.Lanes)}) acc += {term(true)};");
                    if (full < positions)
                        w.Line($"for (nuint q = {Int(full)}; q < {Int(positions)}; q++) tail += {term(false)};");
                }
                w.Line($"{total} = {vw.Sum("acc")} + tail;");
            }
        }

        /// <summary>
        /// Batch normalisation in training over rows [0, count): per channel, the mean μ and biased variance σ² over the
        /// count × positions values of z, x̂ = (z − μ)/√(σ² + ε) kept for backward, y = f(γ·x̂ + β) written over z; the
        /// running averages move toward the batch statistics (variance unbiased by n/(n − 1), n = count × positions).
        /// Then the layer's dropout, if it has one, over the same rows.
        /// </summary>
        private static void EmitForward(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int channels = f.Output.Channels, positions = f.Positions, size = f.Output.Size;
            string summary = Summary(fp, $"batch normalisation over the batch's rows [0, count) in training, per channel over the rows and the {Int(positions)} positions: x̂ = (z − μ)/√(σ² + ε), y = {f.Activation}(γ·x̂ + β) over z in {fp.Activations}; running averages updated"
                + (fp.HasDropout ? $"; then dropout into {fp.DroppedOutputs}" : ""));
            new VectorMethod("private", "void", fp.BatchNormForward, ("int", "count")).Emit(w, summary, vw =>
            {
                w.Line($"ref float p = ref {Data("_parameters")};");
                w.Line($"ref float y = ref {Data(fp.Activations)};");
                w.Line($"ref float xhat = ref {Data(fp.XHat)};");
                w.Line($"ref float invStd = ref {Data(fp.InvStd)};");
                w.Line($"ref float gamma = ref {Add("p", Int(fp.GammaOffset))};");
                w.Line($"ref float beta = ref {Add("p", Int(fp.BetaOffset))};");
                w.Line($"ref float mean = ref {Add(Data("_batchNormStatistics"), Int(fp.StatisticsOffset))};");
                w.Line($"ref float variance = ref {Add("mean", Int(channels))};");
                w.Line("nuint rows = (nuint)count;");
                w.Line($"float n = (float)count * {Int(positions)}; // values per channel: rows × positions");
                w.Line("float invCount = 1f / n;");
                w.Line("float unbias = n > 1f ? n / (n - 1f) : 1f;");
                w.Line($"const float epsilon = {Float(BatchNormEmitter.Epsilon)};");
                w.Line($"const float keep = {Float(BatchNormEmitter.RunningKeep)};");
                w.Line($"const float take = {Float(1f - BatchNormEmitter.RunningKeep)};");
                using (w.Open($"for (nuint o = 0; o < {Int(channels)}; o++)"))
                {
                    w.Line("// μ: the mean of channel o over the rows and positions");
                    SumOverRows(w, vw, fp, "sum", vector => vector ? vw.Load("yo", "q") : Add("yo", "q"));
                    w.Line("float mu = sum * invCount;");
                    w.Line($"var muV = {vw.Create("mu")};");
                    w.Line("// σ²: the mean squared deviation from μ (two passes, no cancellation)");
                    SumOverRows(w, vw, fp, "squares", vector => vector ? $"({vw.Load("yo", "q")} - muV) * ({vw.Load("yo", "q")} - muV)" : $"({Add("yo", "q")} - mu) * ({Add("yo", "q")} - mu)");
                    w.Line("float sigma2 = squares * invCount;");
                    w.Line("float inv = 1f / global::System.MathF.Sqrt(sigma2 + epsilon);");
                    w.Line($"{Add("invStd", "o")} = inv;");
                    w.Line($"var invV = {vw.Create("inv")};");
                    w.Line($"float g = {Add("gamma", "o")};");
                    w.Line($"var gV = {vw.Create("g")};");
                    w.Line($"float bt = {Add("beta", "o")};");
                    w.Line($"var btV = {vw.Create("bt")};");
                    using (w.Open("for (nuint r = 0; r < rows; r++)"))
                    {
                        w.Line($"ref float yo = ref {Add("y", $"r * {Int(size)} + o * {Int(positions)}")};");
                        w.Line($"ref float xo = ref {Add("xhat", $"r * {Int(size)} + o * {Int(positions)}")};");
                        Expr h = Expr.Local("h"), affine = Expr.Broadcast("g") * h + Expr.Broadcast("bt");
                        Expr y = f.Activation == ActivationKind.ReLU ? Expr.Max(affine, Expr.Zero) : affine;
                        Elementwise.Loop(w, vw, 0, positions,
                            Stmt.Var("h", (Expr.Load("yo") - Expr.Broadcast("mu")) * Expr.Broadcast("inv")),
                            Stmt.Store("xo", h),
                            Stmt.Store("yo", y));
                        if (f.Activation is ActivationKind.Sigmoid or ActivationKind.Tanh)
                        {
                            string scalar = f.Activation == ActivationKind.Sigmoid ? "global::CompiledNet.CompilerServices.Kernels.Sigmoid" : "global::System.MathF.Tanh";
                            w.Line($"for (nuint q = 0; q < {Int(positions)}; q++) {Add("yo", "q")} = {scalar}({Add("yo", "q")});");
                        }
                    }
                    w.Line($"{Add("mean", "o")} = keep * {Add("mean", "o")} + take * mu;");
                    w.Line($"{Add("variance", "o")} = keep * {Add("variance", "o")} + take * (sigma2 * unbias);");
                }
                if (fp.HasDropout) w.Line($"{fp.DropoutForward}(0, count);");
            });
        }

        /// <summary>
        /// Backward over rows [0, count) before the convolution's own backward: δ through the dropout mask and the
        /// activation, then through batch normalisation per channel over the rows and positions (every output depends on
        /// every value of its channel in the batch): ∂β = Σ δ, ∂γ = Σ δ·x̂, δz = γ/(n·√(σ² + ε))·(n·δ − ∂β − x̂·∂γ).
        /// </summary>
        private static void EmitBackward(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int channels = f.Output.Channels, positions = f.Positions, size = f.Output.Size;
            string summary = Summary(fp, "backward over the batch's rows [0, count) before the weight gradients: " + (fp.HasDropout ? "the dropout mask, " : "")
                + "the activation derivative, then batch norm per channel (∂γ and ∂β into g; δ becomes ∂L/∂z)");
            new VectorMethod("private", "void", fp.BatchNormBackward, ("int", "count"), ("ref float", "g")).Emit(w, summary, vw =>
            {
                w.Line($"ref float d = ref {Data(fp.Deltas)};");
                if (fp.HasDropout) ConvDropoutEmitter.EmitBackward(w, vw, fp, "d", "count");
                var asDense = new LayerSpec(0, size, f.Activation, f.Init, 0f, 0f, false, 1, false);
                ActivationEmitter.Backward(w, vw, asDense, Data(fp.Activations), "d", "count");
                w.Line($"ref float y = ref {Data(fp.Deltas)}; // δ, summed like z in the forward pass");
                w.Line($"ref float xhat = ref {Data(fp.XHat)};");
                w.Line($"ref float invStd = ref {Data(fp.InvStd)};");
                w.Line($"ref float gamma = ref {Add(Data("_parameters"), Int(fp.GammaOffset))};");
                w.Line($"ref float gGamma = ref {Add("g", Int(fp.GammaOffset))};");
                w.Line($"ref float gBeta = ref {Add("g", Int(fp.BetaOffset))};");
                w.Line("nuint rows = (nuint)count;");
                w.Line($"float n = (float)count * {Int(positions)};");
                w.Line("float invCount = 1f / n;");
                w.Line($"var nV = {vw.Create("n")};");
                using (w.Open($"for (nuint o = 0; o < {Int(channels)}; o++)"))
                {
                    w.Line("// ∂β = Σ δ over the rows and positions of channel o");
                    SumOverRows(w, vw, fp, "sumD", vector => vector ? vw.Load("yo", "q") : Add("yo", "q"));
                    w.Line("// ∂γ = Σ δ·x̂");
                    SumOverRows(w, vw, fp, "sumDx", vector => vector ? $"{vw.Load("yo", "q")} * {vw.Load("xo", "q")}" : $"{Add("yo", "q")} * {Add("xo", "q")}");
                    w.Line($"{Add("gBeta", "o")} = sumD;");
                    w.Line($"{Add("gGamma", "o")} = sumDx;");
                    w.Line($"float factor = {Add("gamma", "o")} * {Add("invStd", "o")} * invCount;");
                    w.Line($"var factorV = {vw.Create("factor")};");
                    w.Line($"var sumDV = {vw.Create("sumD")};");
                    w.Line($"var sumDxV = {vw.Create("sumDx")};");
                    using (w.Open("for (nuint r = 0; r < rows; r++)"))
                    {
                        w.Line($"ref float yo = ref {Add("y", $"r * {Int(size)} + o * {Int(positions)}")};");
                        w.Line($"ref float xo = ref {Add("xhat", $"r * {Int(size)} + o * {Int(positions)}")};");
                        Elementwise.Loop(w, vw, 0, positions,
                            Stmt.Store("yo", Expr.Broadcast("factor") * (Expr.Broadcast("n") * Expr.Load("yo") - Expr.Broadcast("sumD") - Expr.Load("xo") * Expr.Broadcast("sumDx"))));
                    }
                }
            });
        }

        /// <summary>Inference of one image: z (the image kernel's output) becomes f((z − μ)·γ/√(σ² + ε) + β) with the population statistics, channel by channel.</summary>
        private static void EmitInference(IndentedWriter w, FeaturePlan fp)
        {
            var f = fp.Spec;
            int channels = f.Output.Channels, positions = f.Positions;
            string summary = Summary(fp, $"inference of one image after the convolution: y = {f.Activation}((z − μ)·γ/√(σ² + ε) + β) per channel with the population statistics, in place");
            new VectorMethod("private", "void", fp.InferBatchNorm, ("ref float", "y")).Emit(w, summary, vw =>
            {
                w.Line($"ref float p = ref {Data("_parameters")};");
                w.Line($"ref float gamma = ref {Add("p", Int(fp.GammaOffset))};");
                w.Line($"ref float beta = ref {Add("p", Int(fp.BetaOffset))};");
                w.Line($"ref float mean = ref {Add(Data("_batchNormStatistics"), Int(fp.StatisticsOffset))};");
                w.Line($"ref float variance = ref {Add("mean", Int(channels))};");
                w.Line($"const float epsilon = {Float(BatchNormEmitter.Epsilon)};");
                using (w.Open($"for (nuint o = 0; o < {Int(channels)}; o++)"))
                {
                    w.Line($"ref float yo = ref {Add("y", $"o * {Int(positions)}")};");
                    w.Line($"float mu = {Add("mean", "o")};");
                    w.Line($"var muV = {vw.Create("mu")};");
                    w.Line($"float scale = {Add("gamma", "o")} / global::System.MathF.Sqrt({Add("variance", "o")} + epsilon);");
                    w.Line($"var scaleV = {vw.Create("scale")};");
                    w.Line($"float bt = {Add("beta", "o")};");
                    w.Line($"var btV = {vw.Create("bt")};");
                    Expr affine = (Expr.Load("yo") - Expr.Broadcast("mu")) * Expr.Broadcast("scale") + Expr.Broadcast("bt");
                    Elementwise.Loop(w, vw, 0, positions, Stmt.Store("yo", f.Activation == ActivationKind.ReLU ? Expr.Max(affine, Expr.Zero) : affine));
                    if (f.Activation is ActivationKind.Sigmoid or ActivationKind.Tanh)
                    {
                        string scalar = f.Activation == ActivationKind.Sigmoid ? "global::CompiledNet.CompilerServices.Kernels.Sigmoid" : "global::System.MathF.Tanh";
                        w.Line($"for (nuint q = 0; q < {Int(positions)}; q++) {Add("yo", "q")} = {scalar}({Add("yo", "q")});");
                    }
                }
            });
        }

        /// <summary>
        /// The exact population pass for a batch-normalised convolution: one example through the layers before it in
        /// inference mode (those normalised already use their new statistics), its z into <c>h</c>, and each channel's sum
        /// and sum of squares over the positions added in double precision. The caller has declared p, input and h.
        /// </summary>
        public static void EmitAccumulateStatistics(IndentedWriter w, FeaturePlans plans, FeaturePlan target)
        {
            var f = target.Spec;
            w.Line($"ref float s = ref {Data($"t_features ??= {NewBuffer(plans.FeaturesLength)}")};");
            w.Line($"ref float unfolded = ref {Add("s", Int(plans.UnfoldedStart))};");
            int offset = 0;
            string input = "input";
            foreach (var fp in plans.Layers)
            {
                string output = fp == target ? "h" : "f" + fp.Number;
                if (fp != target)
                {
                    w.Line($"ref float {output} = ref {Add("s", Int(offset))};");
                    offset += fp.Spec.Output.Size;
                }
                w.Line(fp.IsConv ? $"{fp.Image}(ref p, ref {input}, ref {output}, ref unfolded);" : $"{fp.Image}(ref {input}, ref {output});");
                if (fp == target) break;
                if (fp.BatchNorm) w.Line($"{fp.InferBatchNorm}(ref {output});");
                input = output;
            }
            using (w.Open($"for (int o = 0; o < {Int(f.Output.Channels)}; o++)"))
            {
                w.Line("double sum = 0, squares = 0;");
                using (w.Open($"for (int q = 0; q < {Int(f.Positions)}; q++)"))
                {
                    w.Line($"double z = buffer[o * {Int(f.Positions)} + q];");
                    w.Line("sum += z;");
                    w.Line("squares += z * z;");
                }
                w.Line("_statisticsSum[o] += sum;");
                w.Line("_statisticsSquares[o] += squares;");
            }
        }
    }
}
