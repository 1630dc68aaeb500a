using System;
using System.Collections.Generic;
using System.Linq;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The dense core: a layer's initialisation, inference (one row and batched), training forward and backward, with
    /// its products and gradients. The layer's options (<see cref="LayerPlan.Options"/>: batch norm, maxout, dropout,
    /// DropConnect) are decided at generation time and written by their own emitters through
    /// <see cref="IDenseOption"/>, each at its point of every pass; the units (the activation, or maxout's pieces)
    /// through <see cref="LayerPlan.Units"/>. No option is tested at run time.
    /// </summary>
    internal sealed class DenseEmitter : ILayerEmitter
    {
        public static readonly DenseEmitter Instance = new DenseEmitter();

        private DenseEmitter() { }

        /// <summary>Every layer the model has today is dense.</summary>
        public bool Handles(LayerSpec layer) => true;

        /// <summary>The buffers of the layer's options, in the order of <see cref="DenseOptions"/>.</summary>
        public void EmitFields(IndentedWriter w, LayerContext c)
        {
            var lp = c.Layer;
            foreach (var option in lp.Options) option.EmitFields(w, lp);
            if (lp.TransposedWeights is { } transposed)
                BufferField(w, lp, transposed, Int(lp.Spec.Width * lp.Spec.Inputs), $"Wᵀ ({Int(lp.Spec.Width)} × {Int(lp.Spec.Inputs)}) for the input gradient, written at the start of each step");
        }

        public void EmitMethods(IndentedWriter w, LayerContext c)
        {
            EmitInit(w, c.Layer, c.Layout);
            EmitInfer(w, c.Layer, c.Layout);
            EmitInferRows(w, c.Layer, c.Layout);
            EmitTrainForward(w, c.Layer, c.Layout, c.Network.Spec.BatchSize);
            EmitBackward(w, c.Layer, c.Layout);
            EmitTransposeWeights(w, c.Layer, c.Layout);
            if (c.Layer.SplitsInputs) EmitInputSplit(w, c.Layer, c.Layout, c.Network.Spec.BatchSize);
        }

        /// <summary>
        /// The four methods of a layer whose inputs a split step shares among its parts (<see cref="LayerPlan.SplitsInputs"/>):
        /// a part's share of the product, the calling thread's sum of the shares with bias and activation, the calling
        /// thread's δ ⊙ f′ and bias gradient, and a part's weight-row gradient and input-gradient columns.
        /// </summary>
        private static void EmitInputSplit(IndentedWriter w, LayerPlan lp, Layout layout, int batchSize)
        {
            var layer = lp.Spec;
            int inputs = layer.Inputs, width = layer.Width;
            string weights = Refs.At("_parameters.Data", layout.WeightOffset[lp.Index]);
            string range = $"{NetworkEmitter.InputRange}({Int(inputs)}, part, parts, out nuint i0, out nuint i1);";
            new VectorMethod("private", "void", lp.ForwardInputs, ("ref float", "x"), ("ref float", "y"), ("int", "count"), ("int", "part"), ("int", "parts")).Emit(w,
                SummaryText(lp, layout, "split step: part's share of x·W over its inputs [i0, i1), rows [0, count), into y (no bias, no activation: the calling thread adds the shares)"), vw =>
            {
                w.Line($"ref float w = ref {weights};");
                w.Line(range);
                KernelEmitter.ByRegisterBlock(w, vw, width, scoped: true, vectors =>
                    KernelEmitter.StripProduct(w, vw, ForwardRows, vectors, width,
                        new KernelEmitter.Product("for (nuint i = i0; i < i1; i++)", k => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref x{k}, i)", "w", $"i * {Int(width)}", k => $"y{k}", null),
                        rows => DeclareRows(w, rows, ("x", inputs), ("y", width)), batchSize >= ForwardRows));
            });
            string after = lp.SpansBatch ? "batch norm over the whole batch, then the activation" : "then the activation";
            new VectorMethod("private", "void", lp.SumParts, ("int", "count"), ("int", "parts")).Emit(w,
                SummaryText(lp, layout, $"split step: {lp.Activations} (part 0's share) plus the other parts' shares in part order{(layer.Bias ? ", plus the bias" : "")}, {after}{Notes(lp, o => o.ActivationNote(layer))}, rows [0, count), on the calling thread"), vw =>
            {
                w.Line($"ref float y = ref {First(lp.Activations)};");
                using (w.Open("for (int k = 1; k < parts; k++)"))
                {
                    w.Line($"ref float q = ref {First("_partOutputs[k - 1]")};");
                    using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                    {
                        w.Line($"ref float ar = ref {Refs.At("y", $"row * {Int(width)}")};");
                        w.Line($"ref float qr = ref {Refs.At("q", $"row * {Int(width)}")};");
                        Elementwise.Unrolled(w, vw, width, Stmt.Store("ar", Expr.Load("ar") + Expr.Load("qr")));
                    }
                }
                if (layer.Bias)
                {
                    w.Line($"ref float b = ref {Refs.At("_parameters.Data", layout.BiasOffset[lp.Index])};");
                    using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                    {
                        w.Line($"ref float ar = ref {Refs.At("y", $"row * {Int(width)}")};");
                        Elementwise.Unrolled(w, vw, width, Stmt.Store("ar", Expr.Load("ar") + Expr.Load("b")));
                    }
                }
                if (lp.SpansBatch)
                {
                    w.Line($"{lp.BatchNormForward}(count);");
                    w.Line($"{lp.ForwardActivation}(0, count);");
                    return;
                }
                ForwardActivation(w, vw, lp, fromRowZero: true);
            });
            string deltaSummary = "split step: " + DeltaSteps(lp) + " over rows [0, count), on the calling thread";
            if (lp.SpansBatch)
            {
                // batch norm's own methods do all of it (a batch-normalised layer has no bias: β takes its place)
                Summary(w, lp, layout, deltaSummary);
                using (w.Member($"private void {lp.Delta}(int count)"))
                {
                    w.Line($"{lp.BackwardActivation}(0, count);");
                    w.Line($"{lp.BatchNormBackward}(count, ref _gradients.Data);");
                }
                w.Line();
            }
            else
                new VectorMethod("private", "void", lp.Delta, ("int", "count")).Emit(w, SummaryText(lp, layout, deltaSummary), vw =>
                {
                    w.Line(ConstStart);
                    BackwardRows(w, lp);
                    BackwardThroughActivation(w, vw, lp);
                    if (!layer.Bias) return;
                    w.Line("// ∂L/∂b[o] = Σ_r δ[r, o]");
                    w.Line($"ref float gb = ref {Refs.At("_gradients.Data", layout.BiasOffset[lp.Index])};");
                    KernelEmitter.ColumnSums(w, vw, width, "d", "gb");
                });
            new VectorMethod("private", "void", lp.BackwardInputs, ("ref float", "x"), ("int", "count"), ("int", "part"), ("int", "parts")).Emit(w,
                SummaryText(lp, layout, "split step: the gradient of part's weight rows [i0, i1)" + (lp.HasInputGradient ? " and its columns [i0, i1) of the input gradient" : "") + ", rows [0, count)"), vw =>
            {
                w.Line($"ref float d = ref {First(lp.Deltas)};");
                w.Line("nuint rows = (nuint)count;");
                w.Line($"ref float gw = ref {Refs.At("_gradients.Data", layout.WeightOffset[lp.Index])};");
                w.Line(range);
                w.Line($"// ∂L/∂W[i, o] = Σ_r x[r, i] · δ[r, o], {Int(GradRows)} inputs at a time, then one by one");
                w.Line("nuint i = i0;");
                using (w.Open($"for (; i + {Int(GradRows)} <= i1; i += {Int(GradRows)})"))
                    WeightGradientBlock(w, vw, inputs, width, "i", 0, GradRows);
                using (w.Open("for (; i < i1; i++)"))
                    WeightGradientBlock(w, vw, inputs, width, "i", 0, 1);
                if (!lp.HasInputGradient) return;
                w.Line($"// ∂L/∂x[r, i] = Σ_o δ[r, o] · W[i, o] for i in [i0, i1), into {lp.InputDeltas}");
                w.Line($"ref float w = ref {weights};");
                w.Line($"ref float dx = ref {First(lp.InputDeltas)};");
                using (w.Open())
                    KernelEmitter.RowLoops(w, DotRows, true, _ => { }, rows => InputGradientRange(w, vw, inputs, width, rows));
            });
        }

        /// <summary>Input-gradient rows from r for the inputs [i0, i1): blocks of DotColumns inputs, then one by one.</summary>
        private static void InputGradientRange(IndentedWriter w, VectorWidth vw, int inputs, int units, int rows)
        {
            DeclareRows(w, rows, ("d", units), ("dx", inputs));
            w.Line("nuint j0 = i0;");
            using (w.Open($"for (; j0 + {Int(DotColumns)} <= i1; j0 += {Int(DotColumns)})"))
            {
                for (int j = 0; j < DotColumns; j++)
                    w.Line($"ref float w{j} = ref {RowRef("w", "j0", j, units)};");
                KernelEmitter.Dots(w, vw, rows, DotColumns, units, k => $"d{k}", j => $"w{j}", (k, j) => Refs.At($"dx{k}", Refs.Index("j0", j)));
            }
            using (w.Open("for (; j0 < i1; j0++)"))
            {
                w.Line($"ref float w0 = ref {RowRef("w", "j0", 0, units)};");
                KernelEmitter.Dots(w, vw, rows, 1, units, k => $"d{k}", j => $"w{j}", (k, j) => Refs.At($"dx{k}", "j0"));
            }
        }

        /// <summary>Wᵀ of a narrow layer into its buffer (<see cref="LayerPlan.TransposedWeights"/>): called once per step, before the forward pass and before any part of a split step runs.</summary>
        private static void EmitTransposeWeights(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            if (lp.TransposedWeights is not { } transposed) return;
            int inputs = lp.Spec.Inputs, width = lp.Spec.Width;
            Summary(w, lp, layout, $"Wᵀ[o, i] = W[i, o] into {transposed}, for the input gradient");
            using (w.Member($"private void {lp.TransposeWeights}()"))
            {
                w.Line($"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {First("_parameters")}, {Int(layout.WeightOffset[lp.Index])});");
                w.Line($"ref float t = ref {First(transposed)};");
                using (w.Open($"for (nuint i = 0; i < {Int(inputs)}; i++)"))
                {
                    w.Line($"ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref w, i * {Int(width)});");
                    for (int o = 0; o < width; o++)
                        w.Line($"{Refs.At("t", o == 0 ? "i" : $"{Int(o * inputs)} + i")} = {Refs.At("row", o)};");
                }
            }
            w.Line();
        }

        /// <summary>What a split step does for the layer before its parts start: the options' weights, then their masks, as a one-thread step's forward draws them.</summary>
        public static void EmitDrawMasks(IndentedWriter w, LayerPlan lp)
        {
            foreach (var option in lp.Options) option.EmitSplitPrepareWeights(w, lp);
            foreach (var option in lp.Options) option.EmitSplitDrawMasks(w, lp);
        }

        // Register blocking. Training forward and weight gradient: 4 rows × VectorWidth.BlockVectors vectors = 12
        // accumulators with 16 vector registers (AVX2, SSE with FMA, AdvSimd; 8 for SSE without FMA), 16 with AVX-512's 32. Inference (one row):
        // KernelEmitter.RowProduct. Input gradient: 2 rows × 4 dot products.
        public const int ForwardRows = 4;
        private const int GradRows = 4, DotRows = 2, DotColumns = 4;

        internal static void Summary(IndentedWriter w, LayerPlan lp, Layout layout, string pass)
            => w.Line(SummaryText(lp, layout, pass));

        /// <summary>The summary line of a per-layer method: its layer, its pass and its parameter ranges.</summary>
        internal static string SummaryText(LayerPlan lp, Layout layout, string pass)
            => ($"/// <summary>Layer {lp.Number}: {Describer.Layer(lp.Spec)} — {pass}. Parameters: {layout.Ranges(lp.Index, lp.Spec)}.</summary>");

        /// <summary>The ref expression of row <c>start</c> of a training buffer of <paramref name="width"/> floats a row.</summary>
        internal static string StartRow(string buffer, int width)
            => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {buffer}.Data, (nuint)start * {Int(width)})";

        /// <summary>The ref expression of row <c>start</c> of an int array of <paramref name="width"/> elements a row (maxout's winners).</summary>
        internal static string StartRowOfInts(string array, int width)
            => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({array}), (nuint)start * {Int(width)})";

        /// <summary>A training buffer of the layer's options: a private field (floats: an AlignedBuffer) of <paramref name="size"/> elements, with a comment saying <paramref name="what"/> it holds.</summary>
        internal static void BufferField(IndentedWriter w, LayerPlan lp, string name, string size, string what, string type = "float")
            => w.Line(type == "float"
                ? $"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {name} = {NewBuffer(size)}; // layer {lp.Number}: {what}"
                : $"private readonly {type}[] {name} = new {type}[{size}]; // layer {lp.Number}: {what}");

        /// <summary>The ref expression of element 0 (64-byte aligned) of a buffer of the network.</summary>
        internal static string First(string array)
            => $"{array}.Data";

        private static string Notes(LayerPlan lp, Func<IDenseOption, string> note) => string.Concat(lp.Options.Select(note));

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
            Summary(w, lp, layout, "initialisation: weights ~ N(0, sd²) with sd = " + rule + Notes(lp, o => o.InitNote(layer)) + (layer.Bias ? ", biases 0" : ""));
            using (w.Member($"private void {lp.Init}(global::CompiledNet.Rng rng)"))
            {
                w.Line($"const float sd = {Float((float)Math.Sqrt(variance))};");
                w.Line($"var weights = _parameters.Slice({Int(layout.WeightOffset[l])}, {Int(layer.Inputs * layer.Width)});");
                w.Line("for (int j = 0; j < weights.Length; j++) weights[j] = sd * rng.NextGaussian();");
                foreach (var option in lp.Options) option.EmitInit(w, lp, layout);
                if (layer.Bias)
                    w.Line($"_parameters.Slice({Int(layout.BiasOffset[l])}, {Int(layer.Width)}).Clear();");
            }
            w.Line();
        }

        /// <summary>
        /// Inference forward for one example: y = x·W (+ b) (into the units' pieces when they have their own), the
        /// options' inference (batch norm with the population statistics), then the units (the output layer's
        /// activation is left to the caller).
        /// </summary>
        private static void EmitInfer(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            var layer = lp.Spec;
            if (lp.SpansBatch)
            {
                new VectorMethod("private static", "void", lp.InferLinear, ("ref float", "p"), ("ref float", "x"), ("ref float", "y")).Emit(w, SummaryText(lp, layout, "inference, linear part z = x·W (no bias: β takes its role)"), vw =>
                {
                    InferProduct(w, vw, lp, layout, "y", bias: false);
                });
            }
            string what = lp.IsOutput ? "inference forward (logits; the output activation follows)" : "inference forward";
            new VectorMethod("private static", "void", lp.Infer, ("ref float", "p"), ("ref float", "statistics"), ("ref float", "x"), ("ref float", "y")).Emit(w, SummaryText(lp, layout, what + Notes(lp, o => o.InferenceNote(layer))), vw =>
            {
                string linear = lp.Units.EmitInferTarget(w, lp);
                if (lp.SpansBatch)
                    w.Line($"{lp.InferLinear}(ref p, ref x, ref {linear});");
                else
                    InferProduct(w, vw, lp, layout, linear, layer.Bias);
                foreach (var option in lp.Options) option.EmitInference(w, vw, lp, layout, rows: false);
                lp.Units.EmitInfer(w, vw, lp, linear);
            });
        }

        /// <summary>One row's x·W (+ b) into ref <paramref name="target"/>, from the weights at p.</summary>
        private static void InferProduct(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, string target, bool bias)
        {
            var layer = lp.Spec;
            w.Line($"ref float w = ref {Refs.At("p", layout.WeightOffset[lp.Index])};");
            if (bias) w.Line($"ref float b = ref {Refs.At("p", layout.BiasOffset[lp.Index])};");
            KernelEmitter.RowProduct(w, vw, layer.Inputs, layer.Width, "x", "w", bias ? "b" : null, target);
        }

        /// <summary>
        /// Batched inference forward over <c>count</c> rows (PredictBatch): the training forward's row-blocked kernel
        /// (each loaded weight vector serves several rows), the options' inference (batch norm with the population
        /// statistics; no dropout), then the units. Writes the layer's output (logits for the output layer) row after
        /// row into <c>output</c>; units with their own pieces take them from <c>scratch</c>.
        /// </summary>
        private static void EmitInferRows(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            var layer = lp.Spec;
            string pass = "batched inference forward over count rows" + (lp.IsOutput ? " (logits; the output activation follows)" : "") + Notes(lp, o => o.InferenceNote(layer));
            new VectorMethod("private static", "void", lp.InferRows, ("ref float", "p"), ("ref float", "statistics"), ("ref float", "x"), ("ref float", "output"), ("ref float", "scratch"), ("int", "count")).Emit(w, SummaryText(lp, layout, pass), vw =>
            {
                w.Line($"ref float w = ref {Refs.At("p", layout.WeightOffset[lp.Index])};");
                string? bias = DeclareBias(w, lp, layout);
                using (w.Open())
                {
                    w.Line($"ref float y = ref {lp.Units.InferRowsTarget};");
                    RowsProduct(w, vw, layer, bias, rowBlocks: true);
                }
                foreach (var option in lp.Options) option.EmitInference(w, vw, lp, layout, rows: true);
                lp.Units.EmitInferRows(w, vw, lp);
            });
        }

        /// <summary>ref b, the biases at p, when the layer has them: returns "b", or null.</summary>
        private static string? DeclareBias(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            if (!lp.Spec.Bias) return null;
            w.Line($"ref float b = ref {Refs.At("p", layout.BiasOffset[lp.Index])};");
            return "b";
        }

        /// <summary>
        /// Training forward over <c>count</c> rows: blocks of rows share each loaded weight vector. A layer with a step
        /// over the whole batch (batch norm) is written as three pieces (linear part, that step, activation), so that a
        /// split step can run the middle one over the whole batch between its parts; then the options' weight methods.
        /// </summary>
        private static void EmitTrainForward(IndentedWriter w, LayerPlan lp, Layout layout, int batchSize)
        {
            string target = lp.LinearOutput;
            string pass = "training forward over rows [start, start + count)" + (lp.IsOutput ? $", logits in {lp.Logits}, outputs in {lp.Activations}" : $", outputs in {lp.Activations}")
                + Notes(lp, o => o.ForwardNote(lp));

            if (!lp.SpansBatch)
            {
                new VectorMethod("private", "void", lp.Forward, ("ref float", "x"), ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, pass), vw =>
                {
                    ForwardLinear(w, vw, lp, layout, batchSize, target);
                    ForwardActivation(w, vw, lp);
                });
            }
            else
            {
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
                foreach (var option in lp.Options) option.EmitBatchForward(w, lp, layout);
                new VectorMethod("private", "void", lp.ForwardActivation, ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, "training forward, activation" + Notes(lp, o => o.ActivationNote(lp.Spec)) + " over rows [start, start + count)"), vw =>
                {
                    w.Line($"ref float y = ref {StartRow(target, lp.Spec.Width)};");
                    ForwardActivation(w, vw, lp);
                });
            }
            foreach (var option in lp.Options) option.EmitWeightMethods(w, lp, layout);
        }

        /// <summary>y[r, o] = b[o] + Σ_i x[r, i]·W[i, o] for r in [0, count): column strips outermost, blocks of ForwardRows rows.</summary>
        private static void RowsProduct(IndentedWriter w, VectorWidth vw, LayerSpec layer, string? bias, bool rowBlocks)
        {
            KernelEmitter.ByRegisterBlock(w, vw, layer.Width, scoped: false, vectors =>
                KernelEmitter.StripProduct(w, vw, ForwardRows, vectors, layer.Width,
                    new KernelEmitter.Product($"for (nuint i = 0; i < {Int(layer.Inputs)}; i++)", k => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref x{k}, i)", "w", $"i * {Int(layer.Width)}", k => $"y{k}", bias),
                    rows => DeclareRows(w, rows, ("x", layer.Inputs), ("y", layer.Width)), rowBlocks));
        }

        /// <summary>
        /// For each of <paramref name="rows"/> rows from r, and each (matrix, width): <c>ref float {matrix}{k}</c>, row r + k of
        /// the matrix of that many floats a row at ref <c>matrix</c>.
        /// </summary>
        private static void DeclareRows(IndentedWriter w, int rows, params (string Matrix, int Width)[] matrices)
        {
            for (int k = 0; k < rows; k++)
            {
                string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {Int(k)})";
                foreach (var (matrix, width) in matrices)
                    w.Line($"ref float {matrix}{k} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {matrix}, {row} * {Int(width)});");
            }
        }

        /// <summary>y = x·W (+ b) over rows [start, start + count) into <paramref name="target"/>, from the weights in use this step.</summary>
        private static void ForwardLinear(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, int batchSize, string target)
        {
            var layer = lp.Spec;
            w.Line("ref float p = ref _parameters.Data;");
            foreach (var option in lp.Options) option.EmitPrepareWeights(w, lp);
            w.Line($"ref float w = ref {lp.WeightsInUse ?? Refs.At("p", layout.WeightOffset[lp.Index])};");
            string? bias = DeclareBias(w, lp, layout);
            w.Line($"ref float y = ref {StartRow(target, layer.Width)};");
            using (w.Open())
                RowsProduct(w, vw, layer, bias, rowBlocks: batchSize >= ForwardRows);
        }

        /// <summary>
        /// The units of the rows the forward pass wrote, then the options' work on them (dropout's masked copy); with
        /// <paramref name="fromRowZero"/> (a split step's whole batch, no start parameter) the options' rows start at a constant 0.
        /// </summary>
        private static void ForwardActivation(IndentedWriter w, VectorWidth vw, LayerPlan lp, bool fromRowZero = false)
        {
            lp.Units.EmitForward(w, vw, lp);
            if (fromRowZero && lp.Options.Count > 0) w.Line(ConstStart);
            foreach (var option in lp.Options) option.EmitOutputsForward(w, vw, lp);
        }

        /// <summary>A split step's passes over the whole batch name their first row as the other passes do.</summary>
        private const string ConstStart = "const int start = 0; // the whole batch, from row 0";

        /// <summary>
        /// The backward's words for its steps before the linear part: the options after the units (the dropout mask), the
        /// units' derivative, then (from <paramref name="norm"/> on) the step over the whole batch (batch norm).
        /// </summary>
        private static List<string> StepsBeforeLinear(LayerPlan lp, out int norm)
        {
            var steps = new List<string>();
            steps.AddRange(lp.Options.Select(o => o.OutputsBackwardNote).OfType<string>());
            if (lp.Units.BackwardNote(lp) is { } units) steps.Add(units);
            norm = steps.Count;
            steps.AddRange(lp.Options.Select(o => o.BatchBackwardNote).OfType<string>());
            return steps;
        }

        /// <summary>The words of a split step's Delta method: the backward's steps before the linear part, then the bias gradient.</summary>
        private static string DeltaSteps(LayerPlan lp)
        {
            var steps = StepsBeforeLinear(lp, out _);
            if (lp.Spec.Bias) steps.Add("the bias gradient");
            return string.Join(", ", steps);
        }

        /// <summary>
        /// Backward over <c>count</c> rows. On entry _d{n} holds ∂L/∂(the layer's output as the next layer saw it)
        /// (hidden layers) or ∂L/∂z (the output layer, from the fused loss gradient). In order: the options after the
        /// units (the dropout mask), the units' derivative, the step over the whole batch (batch norm); then the weight
        /// and bias (or γ, β) gradients and, except for the first layer, ∂L/∂a of the layer below into _d{n−1}.
        /// </summary>
        private static void EmitBackward(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            var layer = lp.Spec;
            var steps = StepsBeforeLinear(lp, out int norm);
            steps.Add("weight" + Notes(lp, o => o.WeightGradientNote(layer)) + (layer.Bias ? " and bias" : "") + " gradients");
            if (lp.HasInputGradient) steps.Add("input gradient");
            if (!lp.SpansBatch)
            {
                new VectorMethod("private", "void", lp.Backward, ("ref float", "x"), ("int", "start"), ("int", "count"), ("ref float", "g")).Emit(w, SummaryText(lp, layout, "backward: " + string.Join(", ", steps)), vw =>
                {
                    BackwardRows(w, lp);
                    BackwardThroughActivation(w, vw, lp);
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
            new VectorMethod("private", "void", lp.BackwardActivation, ("int", "start"), ("int", "count")).Emit(w, SummaryText(lp, layout, "backward over rows [start, start + count): " + (norm > 0 ? string.Join(", ", steps.GetRange(0, norm)) : "nothing before batch norm (δ is already ∂L/∂ of its output)")), vw =>
            {
                BackwardRows(w, lp);
                BackwardThroughActivation(w, vw, lp);
            });
            foreach (var option in lp.Options) option.EmitBatchBackward(w, lp, layout);
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
            w.Line($"ref float d = ref {StartRow(lp.Deltas, lp.Spec.Units)};");
            w.Line("nuint rows = (nuint)count;");
        }

        /// <summary>δ through the options after the units (the dropout mask), then the units' derivative (the output layer's δ is ∂L/∂z already).</summary>
        private static void BackwardThroughActivation(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            foreach (var option in lp.Options) option.EmitOutputsBackward(w, vw, lp);
            lp.Units.EmitBackward(w, vw, lp);
        }

        /// <summary>The weight, bias and input gradients from δ.</summary>
        private static void BackwardLinear(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout)
        {
            WeightGradient(w, vw, lp, layout);
            BiasAndInputGradients(w, vw, lp, layout);
        }

        /// <summary>∂L/∂W = xᵀ·δ into g, blocks of GradRows inputs, then the options' work on it (⊙ the DropConnect mask).</summary>
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
                    WeightGradientBlock(w, vw, inputs, width, iv, 0, GradRows);
            }
            for (int i = blocked; i < inputs; i++)
            {
                w.Line($"// input {Int(i)}");
                using (w.Open())
                    WeightGradientBlock(w, vw, inputs, width, null, i, 1);
            }
            foreach (var option in lp.Options) option.EmitWeightGradient(w, vw, lp);
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
                if (lp.TransposedWeights is { } transposed)
                {
                    w.Line($"// ∂L/∂x[r, i] = Σ_u δ[r, u] · Wᵀ[u, i], into {lp.InputDeltas}: a product with Wᵀ (written at the start of the step), no horizontal sums");
                    w.Line($"ref float wt = ref {First(transposed)};");
                    w.Line($"ref float dx = ref {StartRow(lp.InputDeltas, inputs)};");
                    KernelEmitter.ByRegisterBlock(w, vw, inputs, scoped: true, vectors =>
                        KernelEmitter.StripProduct(w, vw, ForwardRows, vectors, inputs,
                            new KernelEmitter.Product($"for (nuint u = 0; u < {Int(width)}; u++)", k => Refs.At($"d{k}", "u"), "wt", $"u * {Int(inputs)}", k => $"dx{k}", null),
                            rows => DeclareRows(w, rows, ("d", width), ("dx", inputs))));
                    return;
                }
                w.Line($"// ∂L/∂x[r, i] = Σ_o δ[r, o] · W[i, o], into {lp.InputDeltas}");
                w.Line(lp.WeightsInUse is { } used
                    ? $"ref float w = ref {used}; // the weights as used in the forward pass"
                    : $"ref float w = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {First("_parameters")}, {Int(layout.WeightOffset[l])});");
                w.Line($"ref float dx = ref {StartRow(lp.InputDeltas, inputs)};");
                using (w.Open())
                    KernelEmitter.RowLoops(w, DotRows, true, _ => { }, rows => InputGradientRows(w, vw, inputs, width, rows));
            }
        }

        /// <summary>The ref of row (<paramref name="variable"/> + <paramref name="k"/>) of a matrix of <paramref name="width"/> columns at <paramref name="matrix"/>.</summary>
        /// <summary>
        /// ∂L/∂W of <paramref name="count"/> consecutive inputs, from input <paramref name="variable"/> + <paramref name="first"/>
        /// (a constant input where the variable is null): refs g0.. to their gradient rows in gw, then Σ_r x[r, i]·δ[r, ·]
        /// over the rows with the products in registers (refs x, d and rows declared by the caller).
        /// </summary>
        private static void WeightGradientBlock(IndentedWriter w, VectorWidth vw, int inputs, int width, string? variable, int first, int count)
        {
            for (int k = 0; k < count; k++)
                w.Line($"ref float g{k} = ref {RowRef("gw", variable, first + k, width)};");
            KernelEmitter.ByRegisterBlock(w, vw, width, scoped: false, vectors =>
                KernelEmitter.BlockedProduct(w, vw, count, vectors, width, new KernelEmitter.Product("for (nuint r = 0; r < rows; r++)",
                    k => Refs.At("x", Refs.Plus($"r * {Int(inputs)}", variable, first + k)), "d", $"r * {Int(width)}", k => $"g{k}", null)));
        }

        private static string RowRef(string matrix, string? variable, int k, int width)
            => variable is null ? Refs.At(matrix, k * width)
                : Refs.At(matrix, k == 0 ? $"{variable} * {Int(width)}" : $"({variable} + {Int(k)}) * {Int(width)}");

        private static void InputGradientRows(IndentedWriter w, VectorWidth vw, int inputs, int units, int rows)
        {
            DeclareRows(w, rows, ("d", units), ("dx", inputs));
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
