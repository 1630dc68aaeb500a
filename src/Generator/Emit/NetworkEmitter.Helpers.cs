using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: helpers every network has: DescribeParameter, CheckBatch, SetTarget, the softmax row.</summary>
    internal static partial class NetworkEmitter
    {
        private static void EmitHelpers(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            var output = spec.Layers[spec.Layers.Count - 1];
            if (output.Activation == ActivationKind.Softmax) ActivationEmitter.EmitSoftmaxHelper(w, output.Units);
            w.Line("/// <summary>Names the parameter at flat index <paramref name=\"index\"/>: its layer, segment and position.</summary>");
            using (w.Member("public string DescribeParameter(int index)"))
            {
                w.Line("if ((uint)index >= ParameterCount) throw new global::System.ArgumentOutOfRangeException(nameof(index), index, $\"There are {ParameterCount} parameters.\");");
                foreach (var fp in plan.Features.Layers)
                {
                    if (!fp.IsConv) continue;
                    var f = fp.Spec;
                    string fname = Describer.Feature(f, fp.Index);
                    int kh = f.KernelHeight, kw = f.KernelWidth, c = f.Input.Channels;
                    string at = $"(index - {Int(fp.WeightOffset)})";
                    w.Line($"if (index < {Int(fp.WeightOffset + f.WeightCount)}) return $\"{fname} weight W[{{{at} / {Int(f.FanIn)}}}, {{{at} / {Int(kh * kw)} % {Int(c)}}}, {{{at} / {Int(kw)} % {Int(kh)}}}, {{{at} % {Int(kw)}}}]\";");
                    if (fp.BiasOffset >= 0)
                        w.Line($"if (index < {Int(fp.BiasOffset + f.BiasCount)}) return $\"{fname} bias b[{{index - {Int(fp.BiasOffset)}}}]\";");
                }
                for (int l = 0; l < spec.Layers.Count; l++)
                {
                    var layer = spec.Layers[l];
                    string name = $"layer {Int(l + 1)} ({Describer.Layer(layer)})";
                    int wEnd = layout.WeightOffset[l] + layer.Inputs * layer.Width;
                    w.Line($"if (index < {Int(wEnd)}) return $\"{name} weight W[{{(index - {Int(layout.WeightOffset[l])}) / {Int(layer.Width)}}}, {{(index - {Int(layout.WeightOffset[l])}) % {Int(layer.Width)}}}]\";");
                    if (layer.BatchNorm)
                    {
                        w.Line($"if (index < {Int(layout.BetaOffset[l])}) return $\"{name} γ[{{index - {Int(layout.GammaOffset[l])}}}]\";");
                        w.Line($"if (index < {Int(layout.BetaOffset[l] + layer.Units)}) return $\"{name} β[{{index - {Int(layout.BetaOffset[l])}}}]\";");
                    }
                    else if (layer.Bias)
                        w.Line($"if (index < {Int(layout.BiasOffset[l] + layer.Width)}) return $\"{name} bias b[{{index - {Int(layout.BiasOffset[l])}}}]\";");
                }
                w.Line("throw new global::System.InvalidOperationException(\"unreachable\");");
            }
            w.Line();
            w.Line("/// <summary>Checks a batch: 1..BatchSize examples and InputSize inputs for each.</summary>");
            using (w.Member("private static void CheckBatch(int inputsLength, int count, string name, int length, int perExample)"))
            {
                w.Line("if (count < 1 || count > BatchSize) global::CompiledNet.CompilerServices.Kernels.ThrowBatchCount(name, count, BatchSize, perExample, length);");
                w.Line("if (inputsLength != count * InputSize) global::CompiledNet.CompilerServices.Kernels.ThrowBatchMismatch(\"inputs\", count * InputSize, inputsLength, count, InputSize);");
            }
            w.Line();
            if (spec.OutputSize == 1)
            {
                w.Line("/// <summary>Writes the target of a label: the single output's target is the label itself, 0 or 1.</summary>");
                using (w.Member("private static void SetTarget(int label, int index, ref float t, string name)"))
                {
                    w.Line("if ((uint)label > 1u) global::CompiledNet.CompilerServices.Kernels.ThrowLabel(name, index, label, 2);");
                    w.Line("t = label;");
                }
            }
            else
            {
                w.Line("/// <summary>Writes the one-hot target of a label.</summary>");
                using (w.Member("private static void SetTarget(int label, int index, ref float t, string name)"))
                {
                    w.Line("if ((uint)label >= OutputSize) global::CompiledNet.CompilerServices.Kernels.ThrowLabel(name, index, label, OutputSize);");
                    w.Line("global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref t, OutputSize).Clear();");
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref t, label) = 1f;");
                }
            }
        }
    }
}
