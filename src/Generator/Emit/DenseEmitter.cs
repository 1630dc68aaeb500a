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
    internal sealed class DenseEmitter : ILayerEmitter
    {
        public static readonly DenseEmitter Instance = new DenseEmitter();

        private DenseEmitter() { }

        /// <summary>Every layer the model has today is dense.</summary>
        public bool Handles(LayerSpec layer) => true;

        /// <summary>The buffers of the layer's options: batch norm, maxout, dropout, DropConnect, in that order.</summary>
        public void EmitFields(IndentedWriter w, LayerContext c)
        {
            var layer = c.Layer.Spec;
            if (layer.BatchNorm) BatchNormEmitter.EmitFields(w, c.Layer);
            if (layer.Activation == ActivationKind.Maxout) MaxoutEmitter.EmitFields(w, c.Layer);
            if (layer.Dropout > 0) DropoutEmitter.EmitFields(w, c.Layer);
            if (layer.DropConnect > 0) DropConnectEmitter.EmitFields(w, c.Layer);
        }

        public void EmitMethods(IndentedWriter w, LayerContext c)
        {
            EmitInit(w, c.Layer, c.Layout);
            EmitInfer(w, c.Layer, c.Layout, c.IsOutput);
            EmitInferRows(w, c.Layer, c.Layout, c.IsOutput);
            EmitTrainForward(w, c.Layer, c.Layout, c.Network.Spec.BatchSize, c.IsOutput);
            EmitBackward(w, c.Layer, c.Layout, c.IsOutput);
        }

        // Register blocking. Training forward and weight gradient: 4 rows × VectorWidth.BlockVectors vectors = 8
        // accumulators with 16 vector registers (AVX2, SSE, AdvSimd), 16 with AVX-512's 32. Inference (one row):
        // KernelEmitter.RowProduct. Input gradient: 2 rows × 4 dot products.
        public const int ForwardRows = 4;
        private const int GradRows = 4, DotRows = 2, DotColumns = 4;

        internal static void Summary(IndentedWriter w, LayerPlan lp, Layout layout, string pass)
            => w.Line(SummaryText(lp, layout, pass));

        /// <summary>The summary line of a per-layer method: its layer, its pass and its parameter ranges.</summary>
        internal static string SummaryText(LayerPlan lp, Layout layout, string pass)
            => ($"/// <summary>Layer {lp.Number}: {Describer.Layer(lp.Spec)} — {pass}. Parameters: {layout.Ranges(lp.Index, lp.Spec)}.</summary>");

        private static void EmitInit(IndentedWriter w, LayerPlan lp, Layout layout)
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
            using (w.Member($"private void {lp.Init}(global::CompiledNet.Rng rng)"))
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
        private static void EmitInfer(IndentedWriter w, LayerPlan lp, Layout layout, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1;
            if (layer.BatchNorm)
            {
                new VectorMethod("private static", "void", lp.InferLinear, ("ref float", "p"), ("ref float", "x"), ("ref float", "y")).Emit(w, SummaryText(lp, layout, "inference, linear part z = x·W (no bias: β takes its role)"), vw =>
                {
                    InferProduct(w, vw, lp, layout, "y", bias: false);
                });
            }
            string what = isOutput ? "inference forward (logits; the output activation follows)" : "inference forward";
            new VectorMethod("private static", "void", lp.Infer, ("ref float", "p"), ("ref float", "statistics"), ("ref float", "x"), ("ref float", "y")).Emit(w, SummaryText(lp, layout, layer.BatchNorm ? what + ", batch norm with the population statistics" : what), vw =>
            {
                if (layer.BatchNorm)
                {
                    w.Line($"{lp.InferLinear}(ref p, ref x, ref y);");
                    BatchNormEmitter.EmitInference(w, vw, lp, layout, rows: false);
                }
                else if (layer.Activation == ActivationKind.Maxout)
                {
                    w.Line($"global::System.Span<float> piecesBuffer = stackalloc float[{Int(layer.Width)}];");
                    w.Line("ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(piecesBuffer);");
                    InferProduct(w, vw, lp, layout, "z", layer.Bias);
                    MaxoutEmitter.EmitReduce(w, layer, "z", "y", null);
                }
                else
                {
                    InferProduct(w, vw, lp, layout, "y", layer.Bias);
                }
                if (!isOutput && layer.Activation != ActivationKind.Maxout) ActivationEmitter.Forward(w, vw, layer, "y", "y", null);
            });
        }

        /// <summary>One row's x·W (+ b) into ref <paramref name="target"/> (the pieces of a maxout layer), from the weights at p.</summary>
        private static void InferProduct(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, string target, bool bias)
        {
            var layer = lp.Spec;
            w.Line($"ref float w = ref {Refs.At("p", layout.WeightOffset[lp.Index])};");
            if (bias) w.Line($"ref float b = ref {Refs.At("p", layout.BiasOffset[lp.Index])};");
            KernelEmitter.RowProduct(w, vw, layer.Inputs, layer.Width, "x", "w", bias ? "b" : null, target);
        }

        /// <summary>
        /// Batched inference forward over <c>count</c> rows (PredictBatch): the training forward's row-blocked kernel
        /// (each loaded weight vector serves several rows), batch norm with the population statistics, no dropout.
        /// Writes the layer's output (logits for the output layer) row after row into <c>output</c>; maxout pieces
        /// go through <c>scratch</c>.
        /// </summary>
        private static void EmitInferRows(IndentedWriter w, LayerPlan lp, Layout layout, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, units = layer.Units;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            string pass = "batched inference forward over count rows" + (isOutput ? " (logits; the output activation follows)" : "")
                + (layer.BatchNorm ? ", batch norm with the population statistics" : "");
            new VectorMethod("private static", "void", lp.InferRows, ("ref float", "p"), ("ref float", "statistics"), ("ref float", "x"), ("ref float", "output"), ("ref float", "scratch"), ("int", "count")).Emit(w, SummaryText(lp, layout, pass), vw =>
            {
                w.Line($"ref float w = ref {Refs.At("p", layout.WeightOffset[l])};");
                string? bias = null;
                if (layer.Bias)
                {
                    w.Line($"ref float b = ref {Refs.At("p", layout.BiasOffset[l])};");
                    bias = "b";
                }
                using (w.Open())
                {
                    w.Line($"ref float y = ref {(maxout ? "scratch" : "output")};");
                    RowsProduct(w, vw, layer, bias, rowBlocks: true);
                }
                if (layer.BatchNorm)
                {
                    BatchNormEmitter.EmitInference(w, vw, lp, layout, rows: true);
                }
                if (maxout)
                {
                    using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                        MaxoutEmitter.EmitReduce(w, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref scratch, row * {Int(layer.Width)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref output, row * {Int(units)})", null);
                }
                else if (!isOutput)
                    ActivationEmitter.Forward(w, vw, layer, "output", "output", "count");
            });
        }

        /// <summary>Training forward over <c>count</c> rows: blocks of rows share each loaded weight vector.</summary>
        private static void EmitTrainForward(IndentedWriter w, LayerPlan lp, Layout layout, int batchSize, bool isOutput)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1, units = layer.Units;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            string target = isOutput ? $"{lp.Logits}" : maxout ? $"{lp.Pieces}" : $"{lp.Activations}";
            string pass = "training forward over rows [start, start + count)" + (isOutput ? $", logits in {lp.Logits}, outputs in {lp.Activations}" : $", outputs in {lp.Activations}")
                + (layer.Dropout > 0 ? $", dropout-masked copy in {lp.DroppedOutputs}" : "");

            if (!layer.BatchNorm)
            {
                new VectorMethod("private", "void", lp.Forward, ("ref float", "x"), ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, pass), vw =>
                {
                    ForwardLinear(w, vw, lp, layout, batchSize, target);
                    ForwardActivation(w, vw, lp, isOutput);
                });
            }
            else
            {
                // Three pieces, so that a step split across threads can normalise over the whole batch between them.
                Summary(w, lp, layout, pass + "; start is 0 (batch norm takes the statistics of all rows given; a split step calls the three pieces itself)");
                using (w.Member($"private void {lp.Forward}(ref float x, int start, int count)"))
                {
                    w.Line($"{lp.ForwardLinear}(ref x, start, count);");
                    w.Line($"{lp.BatchNormForward}(count);");
                    w.Line($"{lp.ForwardActivation}(start, count);");
                }
                w.Line();
                new VectorMethod("private", "void", lp.ForwardLinear, ("ref float", "x"), ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, $"training forward, linear part over rows [start, start + count) into {target}"), vw =>
                {
                    ForwardLinear(w, vw, lp, layout, batchSize, target);
                });
                new VectorMethod("private", "void", lp.BatchNormForward, ("int", "count")).Emit(w, SummaryText(lp, layout, $"batch normalisation of {target} over the batch's rows [0, count) with their statistics"), vw =>
                {
                    w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters);");
                    w.Line($"ref float y = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({target});");
                    BatchNormEmitter.EmitForward(w, vw, lp, layout);
                });
                new VectorMethod("private", "void", lp.ForwardActivation, ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, "training forward, activation" + (layer.Dropout > 0 ? " and dropout" : "") + " over rows [start, start + count)"), vw =>
                {
                    w.Line($"ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({target}), (nuint)start * {Int(layer.Width)});");
                    ForwardActivation(w, vw, lp, isOutput);
                });
            }
            if (layer.DropConnect > 0) DropConnectEmitter.EmitMask(w, lp, layout);
        }

        /// <summary>y[r, o] = b[o] + Σ_i x[r, i]·W[i, o] for r in [0, count): column strips outermost, blocks of ForwardRows rows.</summary>
        private static void RowsProduct(IndentedWriter w, VectorWidth vw, LayerSpec layer, string? bias, bool rowBlocks)
        {
            KernelEmitter.StripProduct(w, vw, ForwardRows, vw.BlockVectors, layer.Width,
                new KernelEmitter.Product($"for (nuint i = 0; i < {Int(layer.Inputs)}; i++)", k => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref x{k}, i)", "w", $"i * {Int(layer.Width)}", k => $"y{k}", bias),
                rows =>
                {
                    for (int k = 0; k < rows; k++)
                    {
                        string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                        w.Line($"ref float x{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, {row} * {Int(layer.Inputs)});");
                        w.Line($"ref float y{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref y, {row} * {Int(layer.Width)});");
                    }
                }, rowBlocks);
        }

        /// <summary>y = x·W (+ b) over rows [start, start + count) into <paramref name="target"/>, W ⊙ mask with DropConnect.</summary>
        private static void ForwardLinear(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, int batchSize, string target)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters);");
            if (layer.DropConnect > 0)
            {
                w.Line($"if (!_masksDrawn) {lp.DropConnect}(); // a split step drew the masks before its parts started");
                w.Line($"ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.MaskedWeights});");
            }
            else
                w.Line($"ref float w = ref {Refs.At("p", layout.WeightOffset[l])};");
            string? bias = null;
            if (layer.Bias)
            {
                w.Line($"ref float b = ref {Refs.At("p", layout.BiasOffset[l])};");
                bias = "b";
            }
            w.Line($"ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({target}), (nuint)start * {Int(layer.Width)});");
            using (w.Open())
                RowsProduct(w, vw, layer, bias, rowBlocks: batchSize >= ForwardRows);
        }

        /// <summary>The activation (or maxout's reduction) of the rows the forward pass wrote, then dropout's masked copy.</summary>
        private static void ForwardActivation(IndentedWriter w, VectorWidth vw, LayerPlan lp, bool isOutput)
        {
            var layer = lp.Spec;
            int units = layer.Units;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            if (maxout)
                using (w.Open())
                {
                    w.Line($"ref float a = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations}), (nuint)start * {Int(units)});");
                    w.Line($"ref int winner = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Winners}), (nuint)start * {Int(units)});");
                    using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                        MaxoutEmitter.EmitReduce(w, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref y, row * {Int(layer.Width)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref a, row * {Int(units)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref winner, row * {Int(units)})");
                }
            else if (isOutput)
                ActivationEmitter.Forward(w, vw, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Logits}), (nuint)start * {Int(units)})", $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations}), (nuint)start * {Int(units)})", "count");
            else
                ActivationEmitter.Forward(w, vw, layer, "y", "y", "count");
            if (layer.Dropout > 0)
                DropoutEmitter.EmitForward(w, vw, $"global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations})", $"{lp.DroppedOutputs}", $"{lp.DropoutMask}", units, layer.Dropout, "start");
        }

        /// <summary>
        /// Backward over <c>count</c> rows. On entry _d{n} holds ∂L/∂(the layer's output as the next layer saw it)
        /// (hidden layers) or ∂L/∂z (the output layer, from the fused loss gradient). In order: through the dropout
        /// mask, the activation, batch norm; then the weight and bias (or γ, β) gradients and, except for the first
        /// layer, ∂L/∂a of the layer below into _d{n−1}.
        /// </summary>
        private static void EmitBackward(IndentedWriter w, LayerPlan lp, Layout layout, bool isOutput)
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
            if (!layer.BatchNorm)
            {
                new VectorMethod("private", "void", lp.Backward, ("ref float", "x"), ("int", "start"), ("int", "count"), ("ref float", "g")).Emit(w, SummaryText(lp, layout, "backward: " + string.Join(", ", steps)), vw =>
                {
                    BackwardRows(w, lp);
                    BackwardThroughActivation(w, vw, lp, isOutput);
                    BackwardLinear(w, vw, lp, layout);
                });
                return;
            }
            // Three pieces, so that a step split across threads can sum over the whole batch between them.
            Summary(w, lp, layout, "backward: " + string.Join(", ", steps) + "; start is 0 (batch norm sums over all rows given; a split step calls the three pieces itself)");
            using (w.Member($"private void {lp.Backward}(ref float x, int start, int count, ref float g)"))
            {
                w.Line($"{lp.BackwardActivation}(start, count);");
                w.Line($"{lp.BatchNormBackward}(count, ref g);");
                w.Line($"{lp.BackwardLinear}(ref x, start, count, ref g);");
            }
            w.Line();
            int norm = steps.IndexOf("batch norm (γ, β and the batch statistics)");
            new VectorMethod("private", "void", lp.BackwardActivation, ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, "backward over rows [start, start + count): " + (norm > 0 ? string.Join(", ", steps.GetRange(0, norm)) : "nothing before batch norm (δ is already ∂L/∂ of its output)")), vw =>
            {
                BackwardRows(w, lp);
                BackwardThroughActivation(w, vw, lp, isOutput);
            });
            new VectorMethod("private", "void", lp.BatchNormBackward, ("int", "count"), ("ref float", "g")).Emit(w, SummaryText(lp, layout, "backward through batch norm over the batch's rows [0, count): ∂γ and ∂β into g, δ becomes ∂L/∂z"), vw =>
            {
                w.Line($"ref float d = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Deltas});");
                w.Line("nuint rows = (nuint)count;");
                BatchNormEmitter.EmitBackward(w, vw, lp, layout);
            });
            new VectorMethod("private", "void", lp.BackwardLinear, ("ref float", "x"), ("int", "start"), ("int", "count"), ("ref float", "g")).Emit(w, SummaryText(lp, layout, "backward over rows [start, start + count): " + string.Join(", ", steps.GetRange(norm + 1, steps.Count - norm - 1))), vw =>
            {
                BackwardRows(w, lp);
                BackwardLinear(w, vw, lp, layout);
            });
        }

        /// <summary>target = a ⊙ b over [0, length) (refs of those names).</summary>
        internal static void Multiply(IndentedWriter w, VectorWidth vw, int length, string target, string a, string b)
            => Elementwise.Loop(w, vw, 0, length, Stmt.Store(target, Expr.Load(a) * Expr.Load(b)));

        /// <summary>d (δ of the rows [start, start + count)) and rows.</summary>
        private static void BackwardRows(IndentedWriter w, LayerPlan lp)
        {
            w.Line($"ref float d = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Deltas}), (nuint)start * {Int(lp.Spec.Units)});");
            w.Line("nuint rows = (nuint)count;");
        }

        /// <summary>δ through the dropout mask, then maxout's routing or the activation derivative (the output layer's δ is ∂L/∂z already).</summary>
        private static void BackwardThroughActivation(IndentedWriter w, VectorWidth vw, LayerPlan lp, bool isOutput)
        {
            var layer = lp.Spec;
            int units = layer.Units;
            bool maxout = layer.Activation == ActivationKind.Maxout;
            if (layer.Dropout > 0) DropoutEmitter.EmitBackward(w, vw, lp);
            if (maxout) MaxoutEmitter.EmitBackward(w, lp);
            else if (!isOutput)
                ActivationEmitter.Backward(w, vw, layer, $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Activations}), (nuint)start * {Int(units)})", "d", "count");
        }

        /// <summary>The weight, bias and input gradients from δ.</summary>
        private static void BackwardLinear(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout)
        {
            WeightGradient(w, vw, lp, layout);
            BiasAndInputGradients(w, vw, lp, layout);
        }

        /// <summary>∂L/∂W = xᵀ·δ into g, blocks of GradRows inputs, then ⊙ the DropConnect mask.</summary>
        private static void WeightGradient(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int inputs = layer.Inputs, width = layer.Width;
            w.Line($"ref float gw = ref {Refs.At("g", layout.WeightOffset[l])};");
            int blocked = inputs / GradRows * GradRows;
            string order = blocked == 0 ? "one input at a time"
                : blocked == inputs ? $"{Int(GradRows)} inputs at a time"
                : inputs - blocked == 1 ? $"{Int(GradRows)} inputs at a time, then the last one alone"
                : $"{Int(GradRows)} inputs at a time, then the last {Int(inputs - blocked)} one by one";
            w.Line($"// ∂L/∂W[i, o] = Σ_r x[r, i] · δ[r, o], {order}");
            if (blocked > 0)
            {
                string? iv = blocked > GradRows ? "i" : null; // one block of inputs: constant offsets, no loop
                using (iv is null ? w.Open() : w.Open($"for (nuint i = 0; i < {Int(blocked)}; i += {Int(GradRows)})"))
                {
                    for (int k = 0; k < GradRows; k++)
                        w.Line($"ref float g{k} = ref {RowRef("gw", iv, k, width)};");
                    KernelEmitter.BlockedProduct(w, vw, GradRows, vw.BlockVectors, width, new KernelEmitter.Product("for (nuint r = 0; r < rows; r++)",
                        k => Refs.At("x", Refs.Plus($"r * {Int(inputs)}", iv, k)), "d", $"r * {Int(width)}", k => $"g{k}", null));
                }
            }
            for (int i = blocked; i < inputs; i++)
            {
                w.Line($"// input {Int(i)}");
                using (w.Open())
                {
                    w.Line($"ref float g0 = ref {Refs.At("gw", i * width)};");
                    KernelEmitter.BlockedProduct(w, vw, 1, vw.BlockVectors, width, new KernelEmitter.Product("for (nuint r = 0; r < rows; r++)",
                        _ => Refs.At("x", Refs.Plus($"r * {Int(inputs)}", null, i)), "d", $"r * {Int(width)}", _ => "g0", null));
                }
            }
            if (layer.DropConnect > 0) DropConnectEmitter.EmitGradientMask(w, vw, lp);
        }

        /// <summary>∂L/∂b = Σ_r δ into g; ∂L/∂x = δ·Wᵀ into the layer below's δ (not for the first layer).</summary>
        private static void BiasAndInputGradients(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int inputs = layer.Inputs, width = layer.Width;
            if (layer.Bias)
            {
                w.Line("// ∂L/∂b[o] = Σ_r δ[r, o]");
                w.Line($"ref float gb = ref {Refs.At("g", layout.BiasOffset[l])};");
                KernelEmitter.ColumnSums(w, vw, width, "d", "gb");
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
                        InputGradientRows(w, vw, inputs, width, DotRows);
                    using (w.Open("for (; r < count; r++)"))
                        InputGradientRows(w, vw, inputs, width, 1);
                }
            }
        }

        /// <summary>The ref of row (<paramref name="variable"/> + <paramref name="k"/>) of a matrix of <paramref name="width"/> columns at <paramref name="matrix"/>.</summary>
        private static string RowRef(string matrix, string? variable, int k, int width)
            => variable is null ? Refs.At(matrix, k * width)
                : Refs.At(matrix, k == 0 ? $"{variable} * {Int(width)}" : $"({variable} + {Int(k)}) * {Int(width)}");

        private static void InputGradientRows(IndentedWriter w, VectorWidth vw, int inputs, int units, int rows)
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
                string? iv = blocked > DotColumns ? "i" : null; // one block of inputs: constant offsets, no loop
                using (iv is null ? w.Open() : w.Open($"for (nuint i = 0; i < {Int(blocked)}; i += {Int(DotColumns)})"))
                {
                    for (int j = 0; j < DotColumns; j++)
                        w.Line($"ref float w{j} = ref {RowRef("w", iv, j, units)};");
                    KernelEmitter.Dots(w, vw, rows, DotColumns, units, k => $"d{k}", j => $"w{j}",
                        (k, j) => iv is null ? Refs.At($"dx{k}", j) : Refs.At($"dx{k}", Refs.Index(iv, j)));
                }
            }
            if (inputs > blocked)
            {
                using (w.Open())
                {
                    for (int j = 0; j < inputs - blocked; j++)
                        w.Line($"ref float w{j} = ref {Refs.At("w", (blocked + j) * units)};");
                    KernelEmitter.Dots(w, vw, rows, inputs - blocked, units, k => $"d{k}", j => $"w{j}",
                        (k, j) => Refs.At($"dx{k}", blocked + j));
                }
            }
        }
    }
}
