using System.Linq;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: the exact pass over training data for the batch-norm population statistics.</summary>
    internal static partial class NetworkEmitter
    {
        /// <summary>
        /// The exact pass over training data for the batch-norm population statistics, one normalised layer at a time:
        /// each layer's z is computed in inference mode (earlier layers already using their new statistics), and its
        /// mean and biased variance over all examples accumulated in double precision.
        /// </summary>
        private static void EmitPopulationStatistics(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            int widest = System.Math.Max(spec.Layers.Max(l => l.Units), plan.Features.Layers.Where(f => f.BatchNorm).Select(f => f.Spec.Output.Channels).DefaultIfEmpty(0).Max());
            // the pass's buffer: the dense activations of one example, or a normalised convolution's z
            int buffer = System.Math.Max(spec.Layers.Sum(l => l.Units), plan.Features.Layers.Where(f => f.BatchNorm).Select(f => f.Spec.Output.Size).DefaultIfEmpty(0).Max());
            w.Line("/// <summary>Number of batch-normalised layers.</summary>");
            w.MemberLine($"public int BatchNormLayerCount => {Int(layout.BatchNormLayers)};");
            w.Line();
            w.Line($"private readonly double[] _statisticsSum = new double[{Int(widest)}];");
            w.Line($"private readonly double[] _statisticsSquares = new double[{Int(widest)}];");
            w.Line($"private global::CompiledNet.CompilerServices.AlignedBuffer? _statisticsBuffer; // activations of one example during the pass ({Int(buffer)} floats)");
            w.Line("private int _statisticsLayer = -1;");
            w.Line("private long _statisticsCount;");
            w.Line();
            w.Line("/// <summary>Starts the exact pass for the <paramref name=\"index\"/>-th normalised layer (0-based, input to output).</summary>");
            using (w.Member("public void BeginPopulationStatistics(int index)"))
            {
                w.Line($"if ((uint)index >= {Int(layout.BatchNormLayers)}u) throw new global::System.ArgumentOutOfRangeException(nameof(index), index, \"There are {Int(layout.BatchNormLayers)} batch-normalised layers.\");");
                w.Line("global::System.Array.Clear(_statisticsSum);");
                w.Line("global::System.Array.Clear(_statisticsSquares);");
                w.Line($"_statisticsBuffer ??= {NewBuffer(Int(buffer))};");
                w.Line("_statisticsLayer = index;");
                w.Line("_statisticsCount = 0;");
            }
            w.Line();
            EmitAccumulatePopulationStatistics(w, plan);
            w.Line("/// <summary>Ends the pass: the layer's population mean and (biased, 1/N) variance replace its running averages.</summary>");
            using (w.Member("public void EndPopulationStatistics()"))
            {
                w.Line("if (_statisticsCount == 0) throw new global::System.InvalidOperationException(\"No example was accumulated.\");");
                w.Line("int offset, units;");
                bool convolutions = plan.Features.Layers.Any(f => f.BatchNorm);
                if (convolutions) w.Line("double positions = 1; // values of a unit per example: a convolution's channel has one per output position");
                using (w.Open("switch (_statisticsLayer)"))
                {
                    foreach (var fp in plan.Features.Layers)
                        if (fp.BatchNorm)
                            w.Line($"case {Int(fp.BatchNormIndex)}: offset = {Int(fp.StatisticsOffset)}; units = {Int(fp.Spec.Output.Channels)}; positions = {Int(fp.Spec.Positions)}; break;");
                    for (int l = 0; l < n; l++)
                        if (spec.Layers[l].BatchNorm)
                            w.Line($"case {Int(layout.BatchNormIndex[l])}: offset = {Int(layout.StatisticsOffset[l])}; units = {Int(spec.Layers[l].Units)}; break;");
                    w.Line("default: throw new global::System.InvalidOperationException(\"Call BeginPopulationStatistics first.\");");
                }
                using (w.Open("for (int o = 0; o < units; o++)"))
                {
                    string values = convolutions ? "(_statisticsCount * positions)" : "_statisticsCount";
                    w.Line($"double mean = _statisticsSum[o] / {values};");
                    w.Line("_batchNormStatistics[offset + o] = (float)mean;");
                    w.Line($"_batchNormStatistics[offset + units + o] = (float)global::System.Math.Max(0.0, _statisticsSquares[o] / {values} - mean * mean);");
                }
                w.Line("_statisticsLayer = -1;");
            }
            w.Line();
        }

        /// <summary>AccumulatePopulationStatistics: one example through the layers below the target in inference mode, then the target's z summed.</summary>
        private static void EmitAccumulatePopulationStatistics(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.Line("/// <summary>Adds one training example to the pass begun by BeginPopulationStatistics.</summary>");
            using (w.Member("public void AccumulatePopulationStatistics(global::System.ReadOnlySpan<float> x)"))
            {
                CheckInput(w);
                w.Line("if (_statisticsBuffer is null) throw new global::System.InvalidOperationException(\"Call BeginPopulationStatistics first.\");");
                w.Line("var buffer = _statisticsBuffer.Value;");
                w.Line("ref float p = ref _parameters.Data;");
                w.Line("ref float statistics = ref _batchNormStatistics.Data;");
                w.Line("ref float input = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);");
                w.Line("ref float h = ref buffer.Data;");
                using (w.Open("switch (_statisticsLayer)"))
                {
                    foreach (var fp in plan.Features.Layers)
                    {
                        if (!fp.BatchNorm) continue;
                        using (w.Open($"case {Int(fp.BatchNormIndex)}:"))
                        {
                            ConvBatchNormEmitter.EmitAccumulateStatistics(w, plan.Features, fp);
                            w.Line("break;");
                        }
                    }
                    for (int target = 0; target < n; target++)
                    {
                        if (!spec.Layers[target].BatchNorm) continue;
                        using (w.Open($"case {Int(layout.BatchNormIndex[target])}:"))
                        {
                            int offset = 0;
                            string source = "input";
                            if (plan.Features.Any)
                            {
                                EmitFlatFeatures(w, plan, "flat", "input");
                                source = "flat";
                            }
                            for (int l = 0; l < target; l++)
                            {
                                w.Line($"{plan.Layers[l].Infer}(ref p, ref statistics, ref {source}, ref {Refs.At("h", offset)});");
                                source = $"{Refs.At("h", offset)}";
                                offset += spec.Layers[l].Units;
                            }
                            w.Line($"{plan.Layers[target].InferLinear}(ref p, ref {source}, ref {Refs.At("h", offset)});");
                            using (w.Open($"for (int o = 0; o < {Int(spec.Layers[target].Units)}; o++)"))
                            {
                                w.Line($"double z = buffer[{Int(offset)} + o];");
                                w.Line("_statisticsSum[o] += z;");
                                w.Line("_statisticsSquares[o] += z * z;");
                            }
                            w.Line("break;");
                        }
                    }
                    w.Line("default: throw new global::System.InvalidOperationException(\"Call BeginPopulationStatistics first.\");");
                }
                w.Line("_statisticsCount++;");
            }
            w.Line();
        }
    }
}
