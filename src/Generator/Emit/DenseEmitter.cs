using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Emit.Layout;

namespace CompiledNet.Generator.Emit
{
    /// <summary>A dense layer's generated methods: initialisation, inference forward, training forward, backward.</summary>
    internal static class DenseEmitter
    {
        // Register blocking. Training forward: 4 rows × 2 vectors = 8 accumulators. Inference (one row): 8 vectors, enough
        // independent FMA chains to cover its latency on two pipes.
        // Weight gradient: 4 inputs × 2 vectors. Input gradient: 2 rows × 4 inputs of dot products.
        private const int ForwardRows = 4, ForwardVectors = 2, InferVectors = 8, GradRows = 4, GradVectors = 2, DotRows = 2, DotColumns = 4;

        public static string Describe(LayerSpec layer) => $"Dense {I(layer.Inputs)} → {I(layer.Units)} {layer.Activation}";

        private static string Ranges(Layout layout, int l, LayerSpec layer)
            => $"weights [{I(layout.WeightOffset[l])}..{I(layout.BiasOffset[l])}), biases [{I(layout.BiasOffset[l])}..{I(layout.BiasOffset[l] + layer.Units)})";

        private static void Summary(IndentedWriter w, int l, LayerSpec layer, Layout layout, string pass)
        {
            w.Line($"/// <summary>Layer {I(l + 1)}: {Describe(layer)} — {pass}. Parameters: {Ranges(layout, l, layer)}.</summary>");
        }

        public static void EmitInit(IndentedWriter w, int l, LayerSpec layer, Layout layout)
        {
            double variance = layer.Init switch
            {
                InitKind.Glorot => 2.0 / (layer.Inputs + layer.Units),
                InitKind.He => 2.0 / layer.Inputs,
                _ => 1.0 / layer.Inputs,
            };
            string rule = layer.Init switch
            {
                InitKind.Glorot => $"√(2 / ({I(layer.Inputs)} + {I(layer.Units)})) (Glorot)",
                InitKind.He => $"√(2 / {I(layer.Inputs)}) (He)",
                _ => $"1/√{I(layer.Inputs)} (LeCun)",
            };
            Summary(w, l, layer, layout, "initialisation: weights ~ N(0, sd²) with sd = " + rule + ", biases 0");
            using (w.Open($"private void Init_L{I(l + 1)}(global::CompiledNet.Rng rng)"))
            {
                w.Line($"const float sd = {F((float)Math.Sqrt(variance))};");
                w.Line($"var weights = new Span<float>(_parameters, {I(layout.WeightOffset[l])}, {I(layer.Inputs * layer.Units)});");
                w.Line("for (int j = 0; j < weights.Length; j++) weights[j] = sd * rng.NextGaussian();");
                w.Line($"new Span<float>(_parameters, {I(layout.BiasOffset[l])}, {I(layer.Units)}).Clear();");
            }
            w.Line();
        }

        /// <summary>Inference forward for one example: y = x·W + b, then the activation (the output layer leaves it to the caller).</summary>
        public static void EmitInfer(IndentedWriter w, int l, LayerSpec layer, Layout layout, bool isOutput)
        {
            Summary(w, l, layer, layout, isOutput ? "inference forward (logits; the output activation follows)" : "inference forward");
            using (w.Open($"private static void Infer_L{I(l + 1)}(ref float p, ref float x, ref float y)"))
            {
                w.Line($"ref float w = ref Unsafe.Add(ref p, {I(layout.WeightOffset[l])});");
                w.Line($"ref float b = ref Unsafe.Add(ref p, {I(layout.BiasOffset[l])});");
                KernelEmitter.BlockedProduct(w, 1, InferVectors, layer.Units,
                    $"for (nuint i = 0; i < {I(layer.Inputs)}; i++)",
                    _ => "Unsafe.Add(ref x, i)", "w", $"i * {I(layer.Units)}", _ => "y", "b");
                if (!isOutput) ActivationEmitter.Forward(w, layer, "y", "y", "1");
            }
            w.Line();
        }

        /// <summary>Training forward over <c>count</c> rows: blocks of rows share each loaded weight vector.</summary>
        public static void EmitTrainForward(IndentedWriter w, int l, LayerSpec layer, Layout layout, int batchSize, bool isOutput)
        {
            int n = l + 1;
            Summary(w, l, layer, layout, "training forward over count rows" + (isOutput ? $", logits in _z{I(n)}, outputs in _a{I(n)}" : $", outputs in _a{I(n)}"));
            using (w.Open($"private void Forward_L{I(n)}(ref float x, int count)"))
            {
                w.Line("ref float p = ref MemoryMarshal.GetArrayDataReference(_parameters);");
                w.Line($"ref float w = ref Unsafe.Add(ref p, {I(layout.WeightOffset[l])});");
                w.Line($"ref float b = ref Unsafe.Add(ref p, {I(layout.BiasOffset[l])});");
                string target = isOutput ? $"_z{I(n)}" : $"_a{I(n)}";
                w.Line($"ref float y = ref MemoryMarshal.GetArrayDataReference({target});");
                w.Line("int r = 0;");
                if (batchSize >= ForwardRows)
                {
                    using (w.Open($"for (; r + {I(ForwardRows)} <= count; r += {I(ForwardRows)})"))
                        RowBlock(w, layer, ForwardRows);
                }
                using (w.Open("for (; r < count; r++)"))
                    RowBlock(w, layer, 1);
                if (isOutput)
                    ActivationEmitter.Forward(w, layer, $"MemoryMarshal.GetArrayDataReference(_z{I(n)})", $"MemoryMarshal.GetArrayDataReference(_a{I(n)})", "count");
                else
                    ActivationEmitter.Forward(w, layer, "y", "y", "count");
            }
            w.Line();
        }

        private static void RowBlock(IndentedWriter w, LayerSpec layer, int rows)
        {
            for (int k = 0; k < rows; k++)
            {
                string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {I(k)})";
                w.Line($"ref float x{k} = ref Unsafe.Add(ref x, {row} * {I(layer.Inputs)});");
                w.Line($"ref float y{k} = ref Unsafe.Add(ref y, {row} * {I(layer.Units)});");
            }
            KernelEmitter.BlockedProduct(w, rows, ForwardVectors, layer.Units,
                $"for (nuint i = 0; i < {I(layer.Inputs)}; i++)",
                k => $"Unsafe.Add(ref x{k}, i)", "w", $"i * {I(layer.Units)}", k => $"y{k}", "b");
        }

        /// <summary>
        /// Backward over <c>count</c> rows. On entry _d{n} holds ∂L/∂a (hidden layers) or ∂L/∂z (the output layer,
        /// from the fused loss gradient). Writes the weight and bias gradients and, except for the first layer,
        /// ∂L/∂a of the layer below into _d{n−1}.
        /// </summary>
        public static void EmitBackward(IndentedWriter w, int l, LayerSpec layer, Layout layout, bool isOutput)
        {
            int n = l + 1, inputs = layer.Inputs, units = layer.Units;
            Summary(w, l, layer, layout, "backward: " + (isOutput ? "" : "activation derivative, ") + "weight and bias gradients" + (l > 0 ? ", input gradient" : ""));
            using (w.Open($"private void Backward_L{I(n)}(ref float x, int count)"))
            {
                w.Line($"ref float d = ref MemoryMarshal.GetArrayDataReference(_d{I(n)});");
                if (!isOutput)
                    ActivationEmitter.Backward(w, layer, $"MemoryMarshal.GetArrayDataReference(_a{I(n)})", "d", "count");
                w.Line("nuint rows = (nuint)count;");
                w.Line($"ref float gw = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_gradients), {I(layout.WeightOffset[l])});");
                w.Line($"ref float gb = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_gradients), {I(layout.BiasOffset[l])});");

                w.Line($"// ∂L/∂W[i, o] = Σ_r x[r, i] · δ[r, o], {I(GradRows)} inputs at a time");
                int blocked = inputs / GradRows * GradRows;
                if (blocked > 0)
                {
                    using (w.Open($"for (nuint i = 0; i < {I(blocked)}; i += {I(GradRows)})"))
                    {
                        for (int k = 0; k < GradRows; k++)
                            w.Line($"ref float g{k} = ref Unsafe.Add(ref gw, (i + {I(k)}) * {I(units)});");
                        KernelEmitter.BlockedProduct(w, GradRows, GradVectors, units, "for (nuint r = 0; r < rows; r++)",
                            k => $"Unsafe.Add(ref x, r * {I(inputs)} + i + {I(k)})", "d", $"r * {I(units)}", k => $"g{k}", null);
                    }
                }
                for (int i = blocked; i < inputs; i++)
                {
                    w.Line($"// input {I(i)}");
                    using (w.Open())
                    {
                        w.Line($"ref float g0 = ref Unsafe.Add(ref gw, {I(i * units)});");
                        KernelEmitter.BlockedProduct(w, 1, GradVectors, units, "for (nuint r = 0; r < rows; r++)",
                            _ => $"Unsafe.Add(ref x, r * {I(inputs)} + {I(i)})", "d", $"r * {I(units)}", _ => "g0", null);
                    }
                }

                w.Line("// ∂L/∂b[o] = Σ_r δ[r, o]");
                KernelEmitter.ColumnSums(w, units, "d", "gb");

                if (l > 0)
                {
                    w.Line($"// ∂L/∂x[r, i] = Σ_o δ[r, o] · W[i, o], into _d{I(n - 1)}");
                    w.Line($"ref float w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_parameters), {I(layout.WeightOffset[l])});");
                    w.Line($"ref float dx = ref MemoryMarshal.GetArrayDataReference(_d{I(n - 1)});");
                    using (w.Open())
                    {
                        w.Line("int r = 0;");
                        using (w.Open($"for (; r + {I(DotRows)} <= count; r += {I(DotRows)})"))
                            InputGradientRows(w, inputs, units, DotRows);
                        using (w.Open("for (; r < count; r++)"))
                            InputGradientRows(w, inputs, units, 1);
                    }
                }
            }
            w.Line();
        }

        private static void InputGradientRows(IndentedWriter w, int inputs, int units, int rows)
        {
            for (int k = 0; k < rows; k++)
            {
                string row = k == 0 ? "(nuint)r" : $"(nuint)(r + {I(k)})";
                w.Line($"ref float d{k} = ref Unsafe.Add(ref d, {row} * {I(units)});");
                w.Line($"ref float dx{k} = ref Unsafe.Add(ref dx, {row} * {I(inputs)});");
            }
            int blocked = inputs / DotColumns * DotColumns;
            if (blocked > 0)
            {
                using (w.Open($"for (nuint i = 0; i < {I(blocked)}; i += {I(DotColumns)})"))
                {
                    for (int j = 0; j < DotColumns; j++)
                        w.Line($"ref float w{j} = ref Unsafe.Add(ref w, (i + {I(j)}) * {I(units)});");
                    KernelEmitter.Dots(w, rows, DotColumns, units, k => $"d{k}", j => $"w{j}",
                        (k, j) => $"Unsafe.Add(ref dx{k}, i + {I(j)})");
                }
            }
            if (inputs > blocked)
            {
                using (w.Open())
                {
                    for (int j = 0; j < inputs - blocked; j++)
                        w.Line($"ref float w{j} = ref Unsafe.Add(ref w, {I((blocked + j) * units)});");
                    KernelEmitter.Dots(w, rows, inputs - blocked, units, k => $"d{k}", j => $"w{j}",
                        (k, j) => $"Unsafe.Add(ref dx{k}, {I(blocked + j)})");
                }
            }
        }
    }
}
