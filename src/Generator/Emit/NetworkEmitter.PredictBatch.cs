using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: PredictBatch: the batched inference API, its threading and its row chunks.</summary>
    internal static partial class NetworkEmitter
    {
        private static void EmitPredictBatch(IndentedWriter w, NetworkPlan plan)
        {
            var vw = VectorWidth.Inline;
            var spec = plan.Spec;
            int n = spec.Layers.Count;
            int pieces = plan.WidestMaxoutPieces;
            int scratch = plan.PredictScratch;
            int splitRows = plan.PredictSplitMinRows;
            w.Line($"// PredictBatch works through chunks of {Int(NetworkPlan.PredictChunk)} rows ({Int(NetworkPlan.PackedChunk)} with packed weights); their activations ({Int(scratch)} floats) live in one buffer per thread, allocated on its first call.");
            w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_batch;");
            int flatRows = System.Math.Max(NetworkPlan.PredictChunk, NetworkPlan.PackedChunk);
            if (plan.Features.Any)
                w.Line($"[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_flatBatch; // the dense inputs of a chunk after the convolution and pooling layers ({Int(flatRows)} × {Int(plan.Features.OutputSize)} floats)");
            w.Line();
            w.Line($"/// <summary>Smallest batch PredictBatch shares among threads: each thread's part carries ≈ {Int((int)(NetworkPlan.SplitMinFlop / 1e6))} MFLOP of matrix work (fewer rows cost more in hand-over than they save).</summary>");
            w.Line($"public const int PredictSplitMinRows = {Int(splitRows)};");
            w.Line();
            EmitPackWeights(w, plan);
            w.Line("private int _inferenceThreads = global::CompiledNet.CompilerServices.WorkerPool.DefaultThreads;");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Threads PredictBatch uses for a batch of at least PredictSplitMinRows rows (default: the machine's logical processors,");
            w.Line("/// at most WorkerPool.MaxThreads): the rows are shared among the caller and the process-wide worker threads. Rows are");
            w.Line("/// independent, so the results are the same bits for every thread count. While another thread's parallel work holds the");
            w.Line("/// workers, a call runs on its own thread instead of waiting.");
            w.Line("/// </summary>");
            EmitThreadCount(w, "InferenceThreads", "_inferenceThreads", "_inferenceThreads");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Runs the network on many examples: <paramref name=\"inputs\"/> holds them row after row (InputSize values each),");
            w.Line("/// <paramref name=\"outputs\"/> receives OutputSize values per example: what Predict gives on each row. Below");
            w.Line($"/// PredictPackMinRows rows the batched kernels (blocks of {Int(DenseEmitter.ForwardRows)} rows share each loaded weight vector) give Predict's bits; from");
            w.Line("/// there on the dense layers' weights are packed once per call and the rows run through them as one matrix product");
            w.Line("/// (CompiledNet.CompilerServices.Gemm, as wide as the machine's vectors; a softmax output through vectorised exponentials), which");
            w.Line("/// may differ from Predict in the last bits. Shared among InferenceThreads threads when the batch is large enough, with the same bits for every thread");
            w.Line("/// count. Allocates nothing after the first call on a thread; may run on many threads at once, but not while training.");
            w.Line("/// </summary>");
            using (w.Member("public void PredictBatch(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs)"))
            {
                w.Line("int rows = inputs.Length / InputSize;");
                w.Line("if (inputs.Length % InputSize != 0) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(inputs), (rows + 1) * InputSize, inputs.Length, \"a multiple of InputSize\");");
                w.Line("if (outputs.Length != rows * OutputSize) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(outputs), rows * OutputSize, outputs.Length, \"OutputSize per input row\");");
                w.Line("if (rows == 0) return;");
                w.Line($"if (_inferenceThreads > 1 && rows >= PredictSplitMinRows && global::CompiledNet.CompilerServices.WorkerPool.TryRunRows(this, inputs, outputs, rows, _inferenceThreads, {Int(NetworkPlan.SharedChunk)})) return;");
                w.Line("PredictRows(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(inputs), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(outputs), rows, rows >= PredictPackMinRows ? PackWeights() : null);");
            }
            w.Line();
            w.Line("/// <summary>A thread taking part in a shared PredictBatch packs the weights into its own buffer once, before its first chunk.</summary>");
            w.MemberLine("void global::CompiledNet.CompilerServices.IParallelRows.BeginRows() => PackWeights();");
            w.Line();
            w.Line("/// <summary>");
            w.Line($"/// Rows [start, start + count) of a PredictBatch shared among threads (chunks of {Int(NetworkPlan.SharedChunk)} rows, claimed by whichever thread is free), on the");
            w.Line("/// weights this thread packed in BeginRows. A shared batch has at least PredictSplitMinRows ≥ PredictPackMinRows rows, so every");
            w.Line("/// chunk runs on packed weights, as the whole batch would on one thread: same bits.");
            w.Line("/// </summary>");
            using (w.Member("void global::CompiledNet.CompilerServices.IParallelRows.RunRows(nint inputs, nint outputs, int start, int count)"))
            {
                w.Line("PredictRows(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::CompiledNet.CompilerServices.WorkerPool.At(inputs), (nuint)start * InputSize),");
                w.Line("    ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::CompiledNet.CompilerServices.WorkerPool.At(outputs), (nuint)start * OutputSize), count, t_packed!);");
            }
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Inference over rows rows starting at x0, outputs from y0: with packed weights (this thread's t_packed, written by PackWeights),");
            w.Line($"/// chunks of {Int(NetworkPlan.PackedChunk)} rows through Gemm (other layers through their row-blocked kernel); without, chunks of {Int(NetworkPlan.PredictChunk)} rows through each");
            w.Line("/// layer's row-blocked kernel.");
            w.Line("/// </summary>");
            using (w.Member("private void PredictRows(ref float x0, ref float y0, int rows, global::CompiledNet.CompilerServices.AlignedBuffer? packed)"))
            {
                w.Line($"ref float s = ref (t_batch ??= {NewBuffer(Int(scratch))}).Data;");
                w.Line("ref float p = ref _parameters.Data;");
                w.Line("ref float statistics = ref _batchNormStatistics.Data;");
                w.Line($"int chunk = packed is null ? {Int(NetworkPlan.PredictChunk)} : {Int(NetworkPlan.PackedChunk)};");
                int offset = 0;
                for (int l = 0; l < n - 1; l++)
                {
                    w.Line($"ref float h{Int(l + 1)} = ref {Refs.At("s", offset)};");
                    offset += NetworkPlan.PackedChunk * spec.Layers[l].Units;
                }
                w.Line($"ref float z = ref {Refs.At("s", offset)};");
                offset += NetworkPlan.PackedChunk * spec.OutputSize;
                w.Line(pieces > 0 ? $"ref float pieces = ref {Refs.At("s", offset)};" : "ref float pieces = ref s; // no maxout layer: never written");
                using (w.Open("for (int start = 0; start < rows; start += chunk)"))
                {
                    w.Line("int count = global::System.Math.Min(chunk, rows - start);");
                    w.Line("ref float x = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x0, (nuint)start * InputSize);");
                    w.Line("ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref y0, (nuint)start * OutputSize);");
                    string input = "x";
                    if (plan.Features.Any)
                    {
                        w.Line("// the convolution and pooling layers, image by image, into the chunk's dense inputs");
                        w.Line($"ref float flat = ref (t_flatBatch ??= {NewBuffer(Int(flatRows * plan.Features.OutputSize))}).Data;");
                        // with Winograd layers, the first image of a chunk checks the cached filters against the weights, the rest reuse them
                        string refresh = plan.Features.Winograd.Count > 0 ? ", row == 0" : "";
                        w.Line($"for (nuint row = 0; row < (nuint)count; row++) InferFeatures(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, row * InputSize), ref global::System.Runtime.CompilerServices.Unsafe.Add(ref flat, row * {Int(plan.Features.OutputSize)}){refresh});");
                        input = "flat";
                    }
                    for (int l = 0; l < n; l++)
                    {
                        string target = l == n - 1 ? "z" : "h" + Int(l + 1);
                        string inferRows = $"{plan.Layers[l].InferRows}(ref p, ref statistics, ref {input}, ref {target}, ref pieces, count);";
                        if (Packs(spec.Layers[l]))
                            EmitPackedLayer(w, vw, spec, l, l == n - 1, input, target, inferRows);
                        else
                            w.Line(inferRows);
                        input = target;
                    }
                    var output = spec.Layers[n - 1];
                    if (output.Activation == ActivationKind.Softmax)
                    {
                        // On packed weights the exponentials of the whole chunk run in vectors (Kernels.SoftmaxRows).
                        w.Line($"if (packed is not null) global::CompiledNet.CompilerServices.Kernels.SoftmaxRows(global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref z, count * {Int(output.Units)}), count, {Int(output.Units)}, global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref y, count * {Int(output.Units)}));");
                        using (w.Open("else"))
                            ActivationEmitter.Forward(w, vw, output, "z", "y", "count");
                    }
                    else
                        ActivationEmitter.Forward(w, vw, output, "z", "y", "count");
                }
            }
            w.Line();
        }

        /// <summary>A layer PredictBatch runs through Gemm.Multiply on packed weights: a plain dense layer (no maxout, no batch norm).</summary>
        private static bool Packs(LayerSpec layer) => layer.Activation != ActivationKind.Maxout && !layer.BatchNorm;

        /// <summary>PredictPackMinRows, the per-thread packed weights, where each layer's panels end in them, and PackWeights.</summary>
        private static void EmitPackWeights(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            w.Line("/// <summary>");
            w.Line("/// Smallest batch (rows on one thread) for which PredictBatch first packs the dense layers' weights into panels for");
            w.Line("/// CompiledNet.CompilerServices.Gemm: packing copies every weight once per call, which fewer rows do not repay.");
            w.Line("/// </summary>");
            w.Line($"public const int PredictPackMinRows = {Int(NetworkPlan.PackMinRows)};");
            w.Line();
            w.Line("// The dense layers' weights and biases in Gemm's panels, one copy per thread, rewritten by every PredictBatch of at least");
            w.Line("// PredictPackMinRows rows (so it always sees the current parameters). Where each layer's panels end depends on the");
            w.Line("// vector width of the machine (Gemm.PanelWidth), so it is computed when the class is first used.");
            w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_packed;");
            string previous = "0";
            for (int l = 0; l < spec.Layers.Count; l++)
            {
                var layer = spec.Layers[l];
                if (!Packs(layer)) continue;
                string end = $"s_packedEnd_L{Int(l + 1)}";
                w.Line($"private static readonly int {end} = {(previous == "0" ? "" : previous + " + ")}global::CompiledNet.CompilerServices.Gemm.PackedLength({Int(layer.Inputs)}, {Int(layer.Units)});");
                previous = end;
            }
            w.Line();
            w.Line("/// <summary>Packs the dense layers' weights and biases into this thread's t_packed and returns it.</summary>");
            using (w.Member("private global::CompiledNet.CompilerServices.AlignedBuffer PackWeights()"))
            {
                w.Line($"global::CompiledNet.CompilerServices.AlignedBuffer packed = t_packed ??= {NewBuffer(previous)};");
                string start = "0";
                for (int l = 0; l < spec.Layers.Count; l++)
                {
                    var layer = spec.Layers[l];
                    if (!Packs(layer)) continue;
                    string end = $"s_packedEnd_L{Int(l + 1)}";
                    string bias = layer.Bias ? $"_parameters.Slice({Int(layout.BiasOffset[l])}, {Int(layer.Units)})" : "default";
                    w.Line($"global::CompiledNet.CompilerServices.Gemm.Pack(_parameters.Slice({Int(layout.WeightOffset[l])}, {Int(layer.Inputs * layer.Units)}), {bias},");
                    w.Line($"    {Int(layer.Inputs)}, {Int(layer.Units)}, packed.Slice({start}, {end}{(start == "0" ? "" : " - " + start)}));");
                    start = end;
                }
                w.Line("return packed;");
            }
            w.Line();
        }

        /// <summary>
        /// One layer of a PredictBatch chunk: Gemm.Multiply on the packed weights (ReLU fused; other hidden activations after
        /// it, the output activation later) when the batch was packed, else the layer's row-blocked InferRows.
        /// </summary>
        private static void EmitPackedLayer(IndentedWriter w, VectorWidth vw, NetworkSpec spec, int l, bool isOutput, string input, string target, string inferRows)
        {
            var layer = spec.Layers[l];
            int before = l - 1;
            while (before >= 0 && !Packs(spec.Layers[before])) before--;
            string begin = before < 0 ? "0" : $"s_packedEnd_L{Int(before + 1)}";
            string end = $"s_packedEnd_L{Int(l + 1)}";
            string activation = !isOutput && layer.Activation == ActivationKind.ReLU ? "ReLU" : "Identity";
            bool after = !isOutput && layer.Activation is not (ActivationKind.ReLU or ActivationKind.Linear);
            string call = $"global::CompiledNet.CompilerServices.Gemm.Multiply(global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref {input}, count * {Int(layer.Inputs)}), count, {Int(layer.Inputs)}, "
                + $"packed.GetValueOrDefault().Slice({begin}, {end}{(begin == "0" ? "" : " - " + begin)}), {Int(layer.Units)}, "
                + $"global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref {target}, count * {Int(layer.Units)}), global::CompiledNet.CompilerServices.GemmActivation.{activation});";
            if (!after)
            {
                w.Line($"if (packed is not null) {call}");
                w.Line($"else {inferRows}");
                return;
            }
            using (w.Open("if (packed is not null)"))
            {
                w.Line(call);
                ActivationEmitter.Forward(w, vw, layer, target, target, "count");
            }
            w.Line($"else {inferRows}");
        }
    }
}
