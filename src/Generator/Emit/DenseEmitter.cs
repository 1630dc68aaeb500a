using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// A dense layer's generated methods: initialisation, inference forward, training forward, backward. Its options
    /// (batch norm, dropout, DropConnect) are decided here, at generation time: the training and inference passes are
    /// separate methods, and no option is tested at run time.
    /// </summary>
    internal static class DenseEmitter
    {
        // Register blocking. Training forward: 4 rows × 2 vectors = 8 accumulators. Inference (one row): 8 vectors, enough
        // independent FMA chains to cover its latency on two pipes.
        public const int ForwardRows = 4;
        private const int ForwardVectors = 2, InferVectors = 8, GradRows = 4, GradVectors = 2, DotRows = 2, DotColumns = 4;

        /// <summary>ε of batch normalisation's √(σ² + ε).</summary>
        public const float BatchNormEpsilon = 1e-5f;

        /// <summary>Running statistics: new = Keep·old + (1 − Keep)·batch.</summary>
        public const float RunningKeep = 0.9f;

        private static void Summary(IndentedWriter w, LayerPlan lp, Layout layout, string pass)
            => w.Line($"/// <summary>Layer {lp.Number}: {Describer.Layer(lp.Spec)} — {pass}. Parameters: {layout.Ranges(lp.Index, lp.Spec)}.</summary>");

        public static void EmitInit(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            double variance = layer.Init switch
            {
                InitKind.Glorot => 2.0 / (layer.Inputs + layer.Width),
                InitKind.He => 2.0 / layer.Inputs,
                _ => 1.0 / layer.Inputs,
            };
            string rule = layer.Init switch
            {
                InitKind.Glorot => $"√(2 / ({Int(layer.Inputs)} + {Int(layer.Width)})) (Glorot)",
                InitKind.He => $"√(2 / {Int(layer.Inputs)}) (He)",
                _ => $"1/√{Int(layer.Inputs)} (LeCun)",
            };
            Summary(w, lp, layout, "initialisation: weights ~ N(0, sd²) with sd = " + rule + (layer.BatchNorm ? ", γ = 1, β = 0" : layer.Bias ? ", biases 0" : ""));
            using (w.Open($"private void {lp.Init}(global::CompiledNet.Rng rng)"))
            {
                w.Line($"const float sd = {Float((float)Math.Sqrt(variance))};");
                w.Line($"var weights = new global::System.Span<float>(_parameters, {Int(layout.WeightOffset[l])}, {Int(layer.Inputs * layer.Width)});");
                w.Line("for (int j = 0; j < weights.Length; j++) weights[j] = sd * rng.NextGaussian();");
                if (layer.BatchNorm)
                {
                    w.Line($"new global::System.Span<float>(_parameters, {Int(layout.GammaOffset[l])}, {Int(layer.Units)}).Fill(1f);");
                    w.Line($"new global::System.Span<float>(_parameters, {Int(layout.BetaOffset[l])}, {Int(layer.Units)}).Clear();");
                    w.Line($"new global::System.Span<float>(_batchNormStatistics, {Int(layout.StatisticsOffset[l])}, {Int(layer.Units)}).Clear();");
                    w.Line($"new global::System.Span<float>(_batchNormStatistics, {Int(layout.StatisticsOffset[l] + layer.Units)}, {Int(layer.Units)}).Fill(1f);");
                }
                else if (layer.Bias)
                    w.Line($"new global::System.Span<float>(_parameters, {Int(layout.BiasOffset[l])}, {Int(layer.Width)}).Clear();");
            }
            w.Line();
        }

        /// <summary>Inference forward for one example: y = x·W (+ b), batch norm with population statistics, then the activation (the output layer leaves it to the caller).</summary>
        public static void EmitInfer(IndentedWriter w, LayerPlan lp, Layout layout, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1;
            if (layer.BatchNorm)
            {
                Summary(w, lp, layout, "inference, linear part z = x·W (no bias: β takes its role)");
                using (w.Open($"private static void {lp.InferLinear}(ref float p, ref float x, ref float y)"))
                {
                    w.Line($"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.WeightOffset[l])});");
                    KernelEmitter.BlockedProduct(w, 1, InferVectors, layer.Units, $"for (nuint i = 0; i < {Int(layer.Inputs)}; i++)",
                        _ => "global::System.Runtime.CompilerServices.Unsafe.Add(ref x, i)", "w", $"i * {Int(layer.Units)}", _ => "y", null);
                }
                w.Line();
            }
            string what = isOutput ? "inference forward (logits; the output activation follows)" : "inference forward";
            Summary(w, lp, layout, layer.BatchNorm ? what + ", batch norm with the population statistics" : what);
            using (w.Open($"private static void {lp.Infer}(ref float p, ref float statistics, ref float x, ref float y)"))
            {
                if (layer.BatchNorm)
                {
                    w.Line($"{lp.InferLinear}(ref p, ref x, ref y);");
                    w.Line("// y = γ·(z − μ)/√(σ² + ε) + β with the population μ, σ²");
                    w.Line($"ref float gamma = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.GammaOffset[l])});");
                    w.Line($"ref float beta = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BetaOffset[l])});");
                    w.Line($"ref float mean = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref statistics, {Int(layout.StatisticsOffset[l])});");
                    w.Line($"ref float variance = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref statistics, {Int(layout.StatisticsOffset[l] + layer.Units)});");
                    Template.Constant(w, "epsilon", Float(BatchNormEpsilon), isConst: true);
                    Template.Loop(w, 0, layer.Units, new[]
                    {
                        "var scale = LOAD(gamma) / SQRT(LOAD(variance) + {epsilon});",
                        "STORE(y, (LOAD(y) - LOAD(mean)) * scale + LOAD(beta));",
                    }, new[] { "epsilon" });
                }
                else if (layer.Activation == ActivationKind.Maxout)
                {
                    w.Line($"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.WeightOffset[l])});");
                    if (layer.Bias) w.Line($"ref float b = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BiasOffset[l])});");
                    w.Line($"global::System.Span<float> piecesBuffer = stackalloc float[{Int(layer.Width)}];");
                    w.Line("ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(piecesBuffer);");
                    KernelEmitter.BlockedProduct(w, 1, InferVectors, layer.Width, $"for (nuint i = 0; i < {Int(layer.Inputs)}; i++)",
                        _ => "global::System.Runtime.CompilerServices.Unsafe.Add(ref x, i)", "w", $"i * {Int(layer.Width)}", _ => "z", layer.Bias ? "b" : null);
                    MaxoutReduce(w, layer, "z", "y", null);
                }
                else
                {
                    w.Line($"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.WeightOffset[l])});");
                    if (layer.Bias) w.Line($"ref float b = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BiasOffset[l])});");
                    KernelEmitter.BlockedProduct(w, 1, InferVectors, layer.Units, $"for (nuint i = 0; i < {Int(layer.Inputs)}; i++)",
                        _ => "global::System.Runtime.CompilerServices.Unsafe.Add(ref x, i)", "w", $"i * {Int(layer.Units)}", _ => "y", layer.Bias ? "b" : null);
                }
                if (!isOutput && layer.Activation != ActivationKind.Maxout) ActivationEmitter.Forward(w, layer, "y", "y", "1");
            }
            w.Line();
        }

        /// <summary>
        /// Batched inference forward over <c>count</c> rows (PredictBatch): the training forward's row-blocked kernel
        /// (each loaded weight vector serves several rows), batch norm with the population statistics, no dropout.
        /// Writes the layer's output (logits for the output layer) row after row into <c>output</c>; maxout pieces
        /// go through <c>scratch</c>.
        /// </summary>
        public static void EmitInferRows(IndentedWriter w, LayerPlan lp, Layout layout, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, units = layer.Units;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            string pass = "batched inference forward over count rows" + (isOutput ? " (logits; the output activation follows)" : "")
                + (layer.BatchNorm ? ", batch norm with the population statistics" : "");
            Summary(w, lp, layout, pass);
            using (w.Open($"private static void {lp.InferRows}(ref float p, ref float statistics, ref float x, ref float output, ref float scratch, int count)"))
            {
                w.Line($"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.WeightOffset[l])});");
                string? bias = null;
                if (layer.Bias)
                {
                    w.Line($"ref float b = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BiasOffset[l])});");
                    bias = "b";
                }
                using (w.Open())
                {
                    w.Line($"ref float y = ref {(maxout ? "scratch" : "output")};");
                    RowsProduct(w, layer, bias, rowBlocks: true);
                }
                if (layer.BatchNorm)
                {
                    w.Line("// y = γ·(z − μ)/√(σ² + ε) + β with the population μ, σ², row by row");
                    w.Line($"ref float gamma = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.GammaOffset[l])});");
                    w.Line($"ref float beta = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BetaOffset[l])});");
                    w.Line($"ref float mean = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref statistics, {Int(layout.StatisticsOffset[l])});");
                    w.Line($"ref float variance = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref statistics, {Int(layout.StatisticsOffset[l] + units)});");
                    Template.Constant(w, "epsilon", Float(BatchNormEpsilon), isConst: true);
                    using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                    {
                        w.Line($"ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref output, row * {Int(units)});");
                        Template.Loop(w, 0, units, new[]
                        {
                            "var scale = LOAD(gamma) / SQRT(LOAD(variance) + {epsilon});",
                            "STORE(y, (LOAD(y) - LOAD(mean)) * scale + LOAD(beta));",
                        }, new[] { "epsilon" });
                    }
                }
                if (maxout)
                {
                    using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                        MaxoutReduce(w, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref scratch, row * {Int(layer.Width)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref output, row * {Int(units)})", null);
                }
                else if (!isOutput)
                    ActivationEmitter.Forward(w, layer, "output", "output", "count");
            }
            w.Line();
        }

        /// <summary>Training forward over <c>count</c> rows: blocks of rows share each loaded weight vector.</summary>
        public static void EmitTrainForward(IndentedWriter w, LayerPlan lp, Layout layout, int batchSize, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, units = layer.Units;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            string target = isOutput ? $"{lp.Logits}" : maxout ? $"{lp.Pieces}" : $"{lp.Activations}";
            string pass = "training forward over rows [start, start + count)" + (isOutput ? $", logits in {lp.Logits}, outputs in {lp.Activations}" : $", outputs in {lp.Activations}")
                + (layer.Dropout > 0 ? $", dropout-masked copy in {lp.DroppedOutputs}" : "");

            void Linear()
            {
                w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters);");
                if (layer.DropConnect > 0)
                {
                w.Line($"if (!_masksDrawn) {lp.DropConnect}(); // a split step drew the masks before its parts started");
                w.Line($"ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.MaskedWeights});");
                }
                else
                w.Line($"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.WeightOffset[l])});");
                string? bias = null;
                if (layer.Bias)
                {
                w.Line($"ref float b = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BiasOffset[l])});");
                bias = "b";
                }
                w.Line($"ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({target}), (nuint)start * {Int(layer.Width)});");
                using (w.Open())
                RowsProduct(w, layer, bias, rowBlocks: batchSize >= ForwardRows);
            }

            void Activation()
            {
                if (maxout)
                    using (w.Open())
                    {
                        w.Line($"ref float a = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations}), (nuint)start * {Int(units)});");
                        w.Line($"ref int winner = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Winners}), (nuint)start * {Int(units)});");
                        using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                            MaxoutReduce(w, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref y, row * {Int(layer.Width)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref a, row * {Int(units)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref winner, row * {Int(units)})");
                    }
                else if (isOutput)
                    ActivationEmitter.Forward(w, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Logits}), (nuint)start * {Int(units)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations}), (nuint)start * {Int(units)})", "count");
                else
                    ActivationEmitter.Forward(w, layer, "y", "y", "count");
                if (layer.Dropout > 0)
                    DropoutForward(w, $"global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations})", $"{lp.DroppedOutputs}", $"{lp.DropoutMask}", units, layer.Dropout, "start");
            }

            if (!layer.BatchNorm)
            {
                Summary(w, lp, layout, pass);
                using (w.Open($"private void {lp.Forward}(ref float x, int start, int count)"))
                {
                    Linear();
                    Activation();
                }
                w.Line();
            }
            else
            {
                // Three pieces, so that a step split across threads can normalise over the whole batch between them.
                Summary(w, lp, layout, pass + "; start is 0 (batch norm takes the statistics of all rows given; a split step calls the three pieces itself)");
                using (w.Open($"private void {lp.Forward}(ref float x, int start, int count)"))
                {
                    w.Line($"{lp.ForwardLinear}(ref x, start, count);");
                    w.Line($"{lp.BatchNormForward}(count);");
                    w.Line($"{lp.ForwardActivation}(start, count);");
                }
                w.Line();
                Summary(w, lp, layout, $"training forward, linear part over rows [start, start + count) into {target}");
                using (w.Open($"private void {lp.ForwardLinear}(ref float x, int start, int count)"))
                    Linear();
                w.Line();
                Summary(w, lp, layout, $"batch normalisation of {target} over the batch's rows [0, count) with their statistics");
                using (w.Open($"private void {lp.BatchNormForward}(int count)"))
                {
                    w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters);");
                    w.Line($"ref float y = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({target});");
                    BatchNormForward(w, lp, layout);
                }
                w.Line();
                Summary(w, lp, layout, "training forward, activation" + (layer.Dropout > 0 ? " and dropout" : "") + " over rows [start, start + count)");
                using (w.Open($"private void {lp.ForwardActivation}(int start, int count)"))
                {
                    w.Line($"ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({target}), (nuint)start * {Int(layer.Width)});");
                    Activation();
                }
                w.Line();
            }
            if (layer.DropConnect > 0) EmitDropConnectMask(w, lp, layout);
        }

        /// <summary>
        /// DropConnect's per-batch work: draw the weight mask (unless masks are reused) and materialise W ⊙ mask, which
        /// the forward and input-gradient kernels then use as ordinary weights.
        /// </summary>
        private static void EmitDropConnectMask(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1;
            float keep = 1f - layer.DropConnect;
            Summary(w, lp, layout, $"DropConnect: one mask per mini-batch over the {Int(layer.Inputs * layer.Width)} weights, each kept with probability {Number(keep)} and scaled by 1/{Number(keep)}; W ⊙ mask into {lp.MaskedWeights}");
            using (w.Open($"private void {lp.DropConnect}()"))
            {
                w.Line($"ref float mask = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.DropConnectMask});");
                using (w.Open("if (!ReuseMasks)"))
                {
                    w.Line($"const float scale = {Float(1f / keep)};");
                    using (w.Open($"for (nuint j = 0; j < {Int(layer.Inputs * layer.Width)}; j++)"))
                        w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref mask, j) = _maskRng.NextFloat() < {Float(keep)} ? scale : 0f;");
                }
                w.Line($"ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.MaskedWeights});");
                w.Line($"ref float weights = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters), {Int(layout.WeightOffset[l])});");
                Template.Loop(w, 0, layer.Inputs * layer.Width, new[] { "STORE(w, LOAD(weights) * LOAD(mask));" }, Array.Empty<string>());
            }
            w.Line();
        }

        /// <summary>Draws the dropout mask of <paramref name="mask"/> for <c>count</c> rows from row 0, as a one-thread step draws it (the caller opens the block).</summary>
        public static void DrawDropoutMask(IndentedWriter w, string mask, int units, float rate)
        {
            w.Line($"ref float m = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({mask});");
            DrawMask(w, units, rate);
        }

        /// <summary>m[j] for j in [0, count·units): 1/(1 − p) with probability 1 − p, else 0, from the mask generator.</summary>
        private static void DrawMask(IndentedWriter w, int units, float rate)
        {
            float keep = 1f - rate;
            w.Line($"const float scale = {Float(1f / keep)};");
            using (w.Open($"for (nuint j = 0; j < (nuint)count * {Int(units)}; j++)"))
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref m, j) = _maskRng.NextFloat() < {Float(keep)} ? scale : 0f;");
        }

        /// <summary>
        /// Draws a dropout mask (unless masks are reused, or a split step drew them already) and writes the masked copy:
        /// out = in ⊙ mask, for rows [start, start + count) when <paramref name="start"/> names the first row, else from
        /// row 0. <paramref name="input"/> is a ref expression to row 0, the others array names.
        /// </summary>
        public static void DropoutForward(IndentedWriter w, string input, string output, string mask, int units, float rate, string? start)
        {
            float keep = 1f - rate;
            string at = start is null ? "" : $"(nuint){start} * {Int(units)}";
            string Row0(string array) => start is null ? $"global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({array})" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({array}), {at})";
            w.Line($"// dropout: each unit of each example kept with probability {Number(keep)} and scaled by 1/{Number(keep)} (inverted dropout)");
            using (w.Open())
            {
                w.Line($"ref float m = ref {Row0(mask)};");
                using (w.Open(start is null ? "if (!ReuseMasks)" : "if (!ReuseMasks && !_masksDrawn)"))
                    DrawMask(w, units, rate);
                w.Line(start is null ? $"ref float source = ref {input};" : $"ref float source = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {input}, {at});");
                w.Line($"ref float target = ref {Row0(output)};");
                using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                {
                    w.Line($"ref float sr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref source, row * {Int(units)});");
                    w.Line($"ref float tr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref target, row * {Int(units)});");
                    w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, row * {Int(units)});");
                    Template.Loop(w, 0, units, new[] { "STORE(tr, LOAD(sr) * LOAD(mr));" }, Array.Empty<string>());
                }
            }
        }

        /// <summary>
        /// Batch normalisation in training: per unit, the batch mean μ and biased variance σ² (1/count) over the rows,
        /// x̂ = (z − μ)/√(σ² + ε) kept for backward, y = γ·x̂ + β written over z; the running averages move toward the
        /// batch statistics (variance unbiased by count/(count − 1)).
        /// </summary>
        private static void BatchNormForward(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, units = layer.Units;
            w.Line("// batch normalisation with the batch's statistics: x̂ = (z − μ)/√(σ² + ε), y = γ·x̂ + β; running averages updated");
            using (w.Open())
            {
                w.Line("nuint rows = (nuint)count;");
                Template.Constant(w, "invCount", "1f / count", isConst: false);
                Template.Constant(w, "unbias", "count > 1 ? (float)count / (count - 1) : 1f", isConst: false);
                Template.Constant(w, "epsilon", Float(BatchNormEpsilon), isConst: true);
                Template.Constant(w, "keep", Float(RunningKeep), isConst: true);
                Template.Constant(w, "take", Float(1f - RunningKeep), isConst: true);
                w.Line($"ref float gamma = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.GammaOffset[l])});");
                w.Line($"ref float beta = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, {Int(layout.BetaOffset[l])});");
                w.Line($"ref float mean = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_batchNormStatistics), {Int(layout.StatisticsOffset[l])});");
                w.Line($"ref float variance = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref mean, {Int(units)});");
                w.Line($"ref float xhat = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.XHat});");
                w.Line($"ref float invStd = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.InvStd});");
                Template.Loop(w, 0, units, new[]
                {
                    "var sum = ZERO;",
                    $"for (nuint r = 0; r < rows; r++) sum += LOADAT(y, r * {Int(units)});",
                    "var mu = sum * {invCount};",
                    "var squares = ZERO;",
                    $"for (nuint r = 0; r < rows; r++) {{ var c = LOADAT(y, r * {Int(units)}) - mu; squares += c * c; }}",
                    "var sigma2 = squares * {invCount};",
                    "var inv = ONE / SQRT(sigma2 + {epsilon});",
                    "STORE(invStd, inv);",
                    "var g = LOAD(gamma);",
                    "var bt = LOAD(beta);",
                    $"for (nuint r = 0; r < rows; r++) {{ var h = (LOADAT(y, r * {Int(units)}) - mu) * inv; STOREAT(xhat, r * {Int(units)}, h); STOREAT(y, r * {Int(units)}, g * h + bt); }}",
                    "STORE(mean, {keep} * LOAD(mean) + {take} * mu);",
                    "STORE(variance, {keep} * LOAD(variance) + {take} * (sigma2 * {unbias}));",
                }, new[] { "invCount", "unbias", "epsilon", "keep", "take" });
            }
        }

        /// <summary>Maxout: each unit is the largest of its k consecutive pieces; in training, the winner's index is kept for backward.</summary>
        private static void MaxoutReduce(IndentedWriter w, LayerSpec layer, string pieces, string output, string? winner)
        {
            int k = layer.Pieces;
            w.Line($"// maxout: unit u = max over pieces [u·{Int(k)}, u·{Int(k)} + {Int(k)})");
            using (w.Open())
            {
                w.Line($"ref float zp = ref {pieces};");
                w.Line($"ref float ap = ref {output};");
                if (winner != null) w.Line($"ref int wp = ref {winner};");
                using (w.Open($"for (nuint u = 0; u < {Int(layer.Units)}; u++)"))
                {
                    w.Line($"ref float group = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref zp, u * {Int(k)});");
                    w.Line("float best = group;");
                    w.Line("int at = 0;");
                    using (w.Open($"for (int j = 1; j < {Int(k)}; j++)"))
                        w.Line("if (global::System.Runtime.CompilerServices.Unsafe.Add(ref group, j) > best) { best = global::System.Runtime.CompilerServices.Unsafe.Add(ref group, j); at = j; }");
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ap, u) = best;");
                    if (winner != null) w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref wp, u) = at;");
                }
            }
        }

        /// <summary>y[r, o] = b[o] + Σ_i x[r, i]·W[i, o] for r in [0, count): column strips outermost, blocks of ForwardRows rows.</summary>
        private static void RowsProduct(IndentedWriter w, LayerSpec layer, string? bias, bool rowBlocks)
        {
            KernelEmitter.StripProduct(w, ForwardRows, ForwardVectors, layer.Width,
                $"for (nuint i = 0; i < {Int(layer.Inputs)}; i++)",
                k => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref x{k}, i)", "w", $"i * {Int(layer.Width)}", k => $"y{k}", bias,
                rows =>
                {
                    for (int k = 0; k < rows; k++)
                    {
                        string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                        w.Line($"ref float x{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, {row} * {Int(layer.Inputs)});");
                        w.Line($"ref float y{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref y, {row} * {Int(layer.Width)});");
                    }
                },
                rowBlocks);
        }

        /// <summary>
        /// Backward over <c>count</c> rows. On entry _d{n} holds ∂L/∂(the layer's output as the next layer saw it)
        /// (hidden layers) or ∂L/∂z (the output layer, from the fused loss gradient). In order: through the dropout
        /// mask, the activation, batch norm; then the weight and bias (or γ, β) gradients and, except for the first
        /// layer, ∂L/∂a of the layer below into _d{n−1}.
        /// </summary>
        public static void EmitBackward(IndentedWriter w, LayerPlan lp, Layout layout, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, inputs = layer.Inputs, units = layer.Units, width = layer.Width;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            var steps = new System.Collections.Generic.List<string>();
            if (layer.Dropout > 0) steps.Add("dropout mask");
            if (maxout) steps.Add("to the winning piece of each maxout unit");
            else if (!isOutput && layer.Activation != ActivationKind.Linear) steps.Add("activation derivative");
            if (layer.BatchNorm) steps.Add("batch norm (γ, β and the batch statistics)");
            steps.Add("weight" + (layer.DropConnect > 0 ? " (through the DropConnect mask)" : "") + (layer.Bias ? " and bias" : "") + " gradients");
            if (lp.HasInputGradient) steps.Add("input gradient");
            void Decl()
            {
                w.Line($"ref float d = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Deltas}), (nuint)start * {Int(units)});");
                w.Line("nuint rows = (nuint)count;");
            }

            void ThroughActivation()
            {
                if (layer.Dropout > 0)
                {
                    w.Line("// δ ← δ ⊙ dropout mask (dropped units pass no gradient; kept ones carry the 1/(1 − p) scale)");
                    using (w.Open())
                    {
                        w.Line($"ref float m = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.DropoutMask}), (nuint)start * {Int(units)});");
                        using (w.Open("for (nuint row = 0; row < rows; row++)"))
                        {
                            w.Line($"ref float dr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref d, row * {Int(units)});");
                            w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, row * {Int(units)});");
                            Template.Loop(w, 0, units, new[] { "STORE(dr, LOAD(dr) * LOAD(mr));" }, Array.Empty<string>());
                        }
                    }
                }
                if (maxout)
                {
                    w.Line($"// maxout: each unit's gradient goes to its winning piece; the other pieces get 0");
                    w.Line($"ref float dPieces = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.PieceDeltas}), (nuint)start * {Int(width)});");
                    using (w.Open())
                    {
                        w.Line($"ref int winner = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Winners}), (nuint)start * {Int(units)});");
                        w.Line($"global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref dPieces, count * {Int(width)}).Clear();");
                        using (w.Open($"for (nuint j = 0; j < rows * {Int(units)}; j++)"))
                            w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref dPieces, (j / {Int(units)}) * {Int(width)} + (j % {Int(units)}) * {Int(layer.Pieces)} + (nuint)global::System.Runtime.CompilerServices.Unsafe.Add(ref winner, j)) = global::System.Runtime.CompilerServices.Unsafe.Add(ref d, j);");
                    }
                    w.Line("d = ref dPieces; // from here on, δ is over the pieces");
                }
                else if (!isOutput)
                    ActivationEmitter.Backward(w, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations}), (nuint)start * {Int(units)})", "d", "count");
            }

            void Linear()
            {
                w.Line($"ref float gw = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref g, {Int(layout.WeightOffset[l])});");
                int blocked = inputs / GradRows * GradRows;
                string order = blocked == 0 ? "one input at a time"
                    : blocked == inputs ? $"{Int(GradRows)} inputs at a time"
                    : inputs - blocked == 1 ? $"{Int(GradRows)} inputs at a time, then the last one alone"
                    : $"{Int(GradRows)} inputs at a time, then the last {Int(inputs - blocked)} one by one";
                w.Line($"// ∂L/∂W[i, o] = Σ_r x[r, i] · δ[r, o], {order}");
                if (blocked > 0)
                {
                    using (w.Open($"for (nuint i = 0; i < {Int(blocked)}; i += {Int(GradRows)})"))
                    {
                        for (int k = 0; k < GradRows; k++)
                            w.Line($"ref float g{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref gw, (i + {Int(k)}) * {Int(width)});");
                        KernelEmitter.BlockedProduct(w, GradRows, GradVectors, width, "for (nuint r = 0; r < rows; r++)",
                            k => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref x, r * {Int(inputs)} + i + {Int(k)})", "d", $"r * {Int(width)}", k => $"g{k}", null);
                    }
                }
                for (int i = blocked; i < inputs; i++)
                {
                    w.Line($"// input {Int(i)}");
                    using (w.Open())
                    {
                        w.Line($"ref float g0 = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref gw, {Int(i * width)});");
                        KernelEmitter.BlockedProduct(w, 1, GradVectors, width, "for (nuint r = 0; r < rows; r++)",
                            _ => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref x, r * {Int(inputs)} + {Int(i)})", "d", $"r * {Int(width)}", _ => "g0", null);
                    }
                }
                if (layer.DropConnect > 0)
                {
                    w.Line("// DropConnect: a dropped weight gets no gradient, a kept one the 1/(1 − p) scale it was used with");
                    using (w.Open())
                    {
                        w.Line($"ref float mask = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.DropConnectMask});");
                        Template.Loop(w, 0, inputs * width, new[] { "STORE(gw, LOAD(gw) * LOAD(mask));" }, Array.Empty<string>());
                    }
                }

                if (layer.Bias)
                {
                    w.Line("// ∂L/∂b[o] = Σ_r δ[r, o]");
                    w.Line($"ref float gb = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref g, {Int(layout.BiasOffset[l])});");
                    KernelEmitter.ColumnSums(w, width, "d", "gb");
                }

                if (lp.HasInputGradient)
                {
                    w.Line($"// ∂L/∂x[r, i] = Σ_o δ[r, o] · W[i, o], into {lp.InputDeltas}");
                    w.Line(layer.DropConnect > 0
                        ? $"ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.MaskedWeights}); // the weights as used in the forward pass"
                        : $"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters), {Int(layout.WeightOffset[l])});");
                    w.Line($"ref float dx = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.InputDeltas}), (nuint)start * {Int(inputs)});");
                    using (w.Open())
                    {
                        w.Line("int r = 0;");
                        using (w.Open($"for (; r + {Int(DotRows)} <= count; r += {Int(DotRows)})"))
                            InputGradientRows(w, inputs, width, DotRows);
                        using (w.Open("for (; r < count; r++)"))
                            InputGradientRows(w, inputs, width, 1);
                    }
                }
            }

            if (!layer.BatchNorm)
            {
                Summary(w, lp, layout, "backward: " + string.Join(", ", steps));
                using (w.Open($"private void {lp.Backward}(ref float x, int start, int count, ref float g)"))
                {
                    Decl();
                    ThroughActivation();
                    Linear();
                }
                w.Line();
                return;
            }
            // Three pieces, so that a step split across threads can sum over the whole batch between them.
            Summary(w, lp, layout, "backward: " + string.Join(", ", steps) + "; start is 0 (batch norm sums over all rows given; a split step calls the three pieces itself)");
            using (w.Open($"private void {lp.Backward}(ref float x, int start, int count, ref float g)"))
            {
                w.Line($"{lp.BackwardActivation}(start, count);");
                w.Line($"{lp.BatchNormBackward}(count, ref g);");
                w.Line($"{lp.BackwardLinear}(ref x, start, count, ref g);");
            }
            w.Line();
            int norm = steps.IndexOf("batch norm (γ, β and the batch statistics)");
            Summary(w, lp, layout, "backward over rows [start, start + count): " + (norm > 0 ? string.Join(", ", steps.GetRange(0, norm)) : "nothing before batch norm (δ is already ∂L/∂ of its output)"));
            using (w.Open($"private void {lp.BackwardActivation}(int start, int count)"))
            {
                Decl();
                ThroughActivation();
            }
            w.Line();
            Summary(w, lp, layout, "backward through batch norm over the batch's rows [0, count): ∂γ and ∂β into g, δ becomes ∂L/∂z");
            using (w.Open($"private void {lp.BatchNormBackward}(int count, ref float g)"))
            {
                w.Line($"ref float d = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Deltas});");
                w.Line("nuint rows = (nuint)count;");
                BatchNormBackward(w, lp, layout);
            }
            w.Line();
            Summary(w, lp, layout, "backward over rows [start, start + count): " + string.Join(", ", steps.GetRange(norm + 1, steps.Count - norm - 1)));
            using (w.Open($"private void {lp.BackwardLinear}(ref float x, int start, int count, ref float g)"))
            {
                Decl();
                Linear();
            }
            w.Line();
        }

        /// <summary>
        /// Through batch normalisation, per unit over the rows (every output depends on every example's input):
        /// ∂β = Σ δ, ∂γ = Σ δ·x̂, δz = γ/(count·√(σ² + ε))·(count·δ − ∂β − x̂·∂γ), written over δ.
        /// </summary>
        private static void BatchNormBackward(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, units = layer.Units;
            w.Line("// batch norm backward: ∂β = Σδ, ∂γ = Σδ·x̂, δz = γ·invStd/count·(count·δ − ∂β − x̂·∂γ)");
            using (w.Open())
            {
                Template.Constant(w, "invCount", "1f / count", isConst: false);
                Template.Constant(w, "countF", "(float)count", isConst: false);
                w.Line($"ref float gamma = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters), {Int(layout.GammaOffset[l])});");
                w.Line($"ref float gGamma = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref g, {Int(layout.GammaOffset[l])});");
                w.Line($"ref float gBeta = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref g, {Int(layout.BetaOffset[l])});");
                w.Line($"ref float xhat = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.XHat});");
                w.Line($"ref float invStd = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.InvStd});");
                Template.Loop(w, 0, units, new[]
                {
                    "var sumD = ZERO;",
                    "var sumDx = ZERO;",
                    $"for (nuint r = 0; r < rows; r++) {{ var dv = LOADAT(d, r * {Int(units)}); sumD += dv; sumDx += dv * LOADAT(xhat, r * {Int(units)}); }}",
                    "STORE(gBeta, sumD);",
                    "STORE(gGamma, sumDx);",
                    "var factor = LOAD(gamma) * LOAD(invStd) * {invCount};",
                    $"for (nuint r = 0; r < rows; r++) STOREAT(d, r * {Int(units)}, factor * ({{countF}} * LOADAT(d, r * {Int(units)}) - sumD - LOADAT(xhat, r * {Int(units)}) * sumDx));",
                }, new[] { "invCount", "countF" });
            }
        }

        private static void InputGradientRows(IndentedWriter w, int inputs, int units, int rows)
        {
            for (int k = 0; k < rows; k++)
            {
                string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                w.Line($"ref float d{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref d, {row} * {Int(units)});");
                w.Line($"ref float dx{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref dx, {row} * {Int(inputs)});");
            }
            int blocked = inputs / DotColumns * DotColumns;
            if (blocked > 0)
            {
                using (w.Open($"for (nuint i = 0; i < {Int(blocked)}; i += {Int(DotColumns)})"))
                {
                    for (int j = 0; j < DotColumns; j++)
                        w.Line($"ref float w{j} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref w, (i + {Int(j)}) * {Int(units)});");
                    KernelEmitter.Dots(w, rows, DotColumns, units, k => $"d{k}", j => $"w{j}",
                        (k, j) => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref dx{k}, i + {Int(j)})");
                }
            }
            if (inputs > blocked)
            {
                using (w.Open())
                {
                    for (int j = 0; j < inputs - blocked; j++)
                        w.Line($"ref float w{j} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref w, {Int((blocked + j) * units)});");
                    KernelEmitter.Dots(w, rows, inputs - blocked, units, k => $"d{k}", j => $"w{j}",
                        (k, j) => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref dx{k}, {Int(blocked + j)})");
                }
            }
        }
    }
}
