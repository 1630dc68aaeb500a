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
            w.Line($"// PredictBatch works through chunks of {Int(NetworkPlan.PredictChunk)} rows; their activations ({Int(scratch)} floats) live in one buffer per thread, allocated on its first call.");
            w.Line("[global::System.ThreadStatic] private static float[]? t_batch;");
            w.Line();
            w.Line($"/// <summary>Smallest batch PredictBatch shares among threads: each thread's part carries ≈ {Int((int)(NetworkPlan.SplitMinFlop / 1e6))} MFLOP of matrix work (fewer rows cost more in hand-over than they save).</summary>");
            w.Line($"public const int PredictSplitMinRows = {Int(splitRows)};");
            w.Line();
            w.Line("private int _inferenceThreads = global::CompiledNet.TrainingWorkers.DefaultThreads;");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Threads PredictBatch uses for a batch of at least PredictSplitMinRows rows (default: the machine's logical processors,");
            w.Line("/// at most TrainingWorkers.MaxThreads): the rows are shared among the caller and the process-wide worker threads. Rows are");
            w.Line("/// independent, so the results are the same bits for every thread count. While another thread's parallel work holds the");
            w.Line("/// workers, a call runs on its own thread instead of waiting.");
            w.Line("/// </summary>");
            EmitThreadCount(w, "InferenceThreads", "_inferenceThreads", "_inferenceThreads");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Runs the network on many examples: <paramref name=\"inputs\"/> holds them row after row (InputSize values each),");
            w.Line("/// <paramref name=\"outputs\"/> receives OutputSize values per example. Same results as Predict on each row, through the");
            w.Line($"/// batched kernels (blocks of {Int(DenseEmitter.ForwardRows)} rows share each loaded weight vector), in chunks of {Int(NetworkPlan.PredictChunk)} rows, shared among");
            w.Line("/// InferenceThreads threads when the batch is large enough. Allocates nothing after the first call on a thread; may run");
            w.Line("/// on many threads at once, but not while training.");
            w.Line("/// </summary>");
            using (w.Member("public void PredictBatch(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs)"))
            {
                w.Line("int rows = inputs.Length / InputSize;");
                w.Line("if (inputs.Length % InputSize != 0) global::CompiledNet.Kernels.ThrowWrongLength(nameof(inputs), (rows + 1) * InputSize, inputs.Length, \"a multiple of InputSize\");");
                w.Line("if (outputs.Length != rows * OutputSize) global::CompiledNet.Kernels.ThrowWrongLength(nameof(outputs), rows * OutputSize, outputs.Length, \"OutputSize per input row\");");
                w.Line("if (rows == 0) return;");
                w.Line($"if (_inferenceThreads > 1 && rows >= PredictSplitMinRows && global::CompiledNet.TrainingWorkers.TryRunRows(this, inputs, outputs, rows, _inferenceThreads, {Int(NetworkPlan.PredictChunk)})) return;");
                w.Line("PredictRows(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(inputs), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(outputs), rows);");
            }
            w.Line();
            w.Line("/// <summary>Rows [start, start + count) of a PredictBatch shared among threads.</summary>");
            using (w.Member("void global::CompiledNet.IParallelRows.RunRows(nint inputs, nint outputs, int start, int count)"))
            {
                w.Line("PredictRows(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::CompiledNet.TrainingWorkers.At(inputs), (nuint)start * InputSize),");
                w.Line("    ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::CompiledNet.TrainingWorkers.At(outputs), (nuint)start * OutputSize), count);");
            }
            w.Line();
            w.Line($"/// <summary>Inference over rows rows starting at x0, outputs from y0: chunks of {Int(NetworkPlan.PredictChunk)} rows through each layer's row-blocked kernel.</summary>");
            using (w.Member("private void PredictRows(ref float x0, ref float y0, int rows)"))
            {
                w.Line($"ref float s = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(t_batch ??= new float[{Int(scratch)}]);");
                w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters);");
                w.Line("ref float statistics = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_batchNormStatistics);");
                int offset = 0;
                for (int l = 0; l < n - 1; l++)
                {
                    w.Line($"ref float h{Int(l + 1)} = ref {Refs.At("s", offset)};");
                    offset += NetworkPlan.PredictChunk * spec.Layers[l].Units;
                }
                w.Line($"ref float z = ref {Refs.At("s", offset)};");
                offset += NetworkPlan.PredictChunk * spec.OutputSize;
                w.Line(pieces > 0 ? $"ref float pieces = ref {Refs.At("s", offset)};" : "ref float pieces = ref s; // no maxout layer: never written");
                using (w.Open($"for (int start = 0; start < rows; start += {Int(NetworkPlan.PredictChunk)})"))
                {
                    w.Line($"int count = global::System.Math.Min({Int(NetworkPlan.PredictChunk)}, rows - start);");
                    w.Line("ref float x = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x0, (nuint)start * InputSize);");
                    w.Line("ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref y0, (nuint)start * OutputSize);");
                    string input = "x";
                    for (int l = 0; l < n; l++)
                    {
                        string target = l == n - 1 ? "z" : "h" + Int(l + 1);
                        w.Line($"{plan.Layers[l].InferRows}(ref p, ref statistics, ref {input}, ref {target}, ref pieces, count);");
                        input = target;
                    }
                    ActivationEmitter.Forward(w, vw, spec.Layers[n - 1], "z", "y", "count");
                }
            }
            w.Line();
        }
    }
}
