using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Emit.Layout;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The optimizer step, one method per layer and one fused loop per parameter segment (weights, biases), so a
    /// rule that treats the segments differently (weight decay never touches biases) has its place.
    /// </summary>
    internal static class OptimizerEmitter
    {
        public static string Describe(OptimizerSpec optimizer) => optimizer.Kind switch
        {
            _ => $"SGD, η = {F(optimizer.LearningRate).TrimEnd('f')}",
        };

        public static void EmitStep(IndentedWriter w, int l, LayerSpec layer, Layout layout, OptimizerSpec optimizer)
        {
            w.Line($"/// <summary>Layer {I(l + 1)}: {DenseEmitter.Describe(layer)} — SGD step θ ← θ − η·g over weights [{I(layout.WeightOffset[l])}..{I(layout.BiasOffset[l])}) and biases [{I(layout.BiasOffset[l])}..{I(layout.BiasOffset[l] + layer.Units)}).</summary>");
            using (w.Open($"private void Step_L{I(l + 1)}()"))
            {
                w.Line("float minusEta = -_learningRate;");
                w.Line("var minusEtaV = Vector256.Create(minusEta);");
                w.Line("ref float p = ref MemoryMarshal.GetArrayDataReference(_parameters);");
                w.Line("ref float g = ref MemoryMarshal.GetArrayDataReference(_gradients);");
                Segment(w, "weights", layout.WeightOffset[l], layer.Inputs * layer.Units);
                Segment(w, "biases", layout.BiasOffset[l], layer.Units);
            }
            w.Line();
        }

        private static void Segment(IndentedWriter w, string name, int offset, int length)
        {
            int full = length / 8 * 8;
            w.Line($"// {name} [{I(offset)}..{I(offset + length)})");
            if (full > 0)
                using (w.Open($"for (nuint j = {I(offset)}; j < {I(offset + full)}; j += 8)"))
                    w.Line("Kernels.MultiplyAdd(minusEtaV, Vector256.LoadUnsafe(ref g, j), Vector256.LoadUnsafe(ref p, j)).StoreUnsafe(ref p, j);");
            for (int j = offset + full; j < offset + length; j++)
                w.Line($"Unsafe.Add(ref p, {I(j)}) += minusEta * Unsafe.Add(ref g, {I(j)});");
        }
    }
}
