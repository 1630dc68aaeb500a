using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Dropout of a convolution's outputs (Srivastava et al., 2014, JMLR 15), element-wise: each value of each output
    /// image of each example is kept with probability 1 − p and scaled by 1/(1 − p) (inverted dropout), as
    /// <c>Dropout = p</c> means on a dense layer. (Channel-wise "spatial" dropout, Tompson et al., 2015, which drops
    /// whole feature maps, is not what this option does.) Masks come from the network's mask generator, drawn in the
    /// order of the layers, so a seed gives the same masks for every thread count; inference uses no mask.
    /// </summary>
    internal static class ConvDropoutEmitter
    {
        /// <summary>The first (64-byte aligned) element of a buffer of the network (an AlignedBuffer expression).</summary>
        private static string Data(string array) => (array.IndexOf(' ') < 0 ? array : "(" + array + ")") + ".Data";

        /// <summary>The mask and the masked outputs (the next layer's training input), BatchSize rows each.</summary>
        public static void EmitFields(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.HasDropout) return;
            string size = $"BatchSize * {Int(fp.Spec.Output.Size)}", name = Describer.FeatureName(fp.Spec, fp.Index);
            w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {fp.DropoutMask} = {NewBuffer(size)}; // {name}: dropout, 0 or 1/(1 − p) per output value and example");
            w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {fp.DroppedOutputs} = {NewBuffer(size)}; // {name}: outputs after dropout, the next layer's input");
        }

        /// <summary>Dropout_Fk(start, count): draws the mask of rows [start, start + count) (unless masks are reused or a split step drew them) and writes the masked copy.</summary>
        public static void EmitMethod(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.HasDropout) return;
            var f = fp.Spec;
            string summary = $"/// <summary>{Describer.Feature(f, fp.Index)} — dropout over rows [start, start + count): {fp.DroppedOutputs} = {fp.Activations} ⊙ mask, each value kept with probability {Number(1f - f.Dropout)} and scaled by its inverse.</summary>";
            new VectorMethod("private", "void", fp.DropoutForward, ("int", "start"), ("int", "count")).Emit(w, summary, vw =>
                DropoutEmitter.EmitForward(w, vw, Data(fp.Activations), fp.DroppedOutputs, fp.DropoutMask, f.Output.Size, f.Dropout, "start"));
        }

        /// <summary>δ ← δ ⊙ mask over <paramref name="count"/> rows from ref <paramref name="d"/> (at row start, whose mask row is start too).</summary>
        public static void EmitBackward(IndentedWriter w, VectorWidth vw, FeaturePlan fp, string d, string count, string start = "0")
        {
            int size = fp.Spec.Output.Size;
            w.Line("// δ ← δ ⊙ dropout mask (dropped values pass no gradient; kept ones carry the 1/(1 − p) scale)");
            using (w.Open())
            {
                w.Line($"ref float m = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {Data(fp.DropoutMask)}, (nuint){start} * {Int(size)});");
                using (w.Open($"for (nuint row = 0; row < (nuint){count}; row++)"))
                {
                    w.Line($"ref float dr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {d}, row * {Int(size)});");
                    w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, row * {Int(size)});");
                    DenseEmitter.Multiply(w, vw, size, "dr", "dr", "mr");
                }
            }
        }

        /// <summary>A split step's mask of the layer, drawn for <c>count</c> rows from row 0 as a one-thread step draws it.</summary>
        public static void EmitSplitDrawMask(IndentedWriter w, FeaturePlan fp)
        {
            if (!fp.HasDropout) return;
            w.Line($"// {Describer.FeatureName(fp.Spec, fp.Index)}: its dropout mask");
            using (w.Open("if (!ReuseMasks)"))
            {
                w.Line($"ref float m = ref {Data(fp.DropoutMask)};");
                DropoutEmitter.DrawMask(w, "m", $"(nuint)count * {Int(fp.Spec.Output.Size)}", fp.Spec.Dropout);
            }
        }

        /// <summary>FeatureDropoutMask(layer): the mask of the last training step of a convolution with dropout.</summary>
        public static void EmitMaskAccessor(IndentedWriter w, FeaturePlans plans)
        {
            w.Line("/// <summary>The dropout mask of convolution layer <paramref name=\"layer\"/> (1-based among the convolution and pooling layers) in the last training step: 0 or 1/(1 − p) per output value and example, row after row.</summary>");
            using (w.Member("public global::System.ReadOnlySpan<float> FeatureDropoutMask(int layer) => layer switch"))
            {
                foreach (var fp in plans.Layers)
                    if (fp.HasDropout) w.Line($"{fp.Number} => {fp.DropoutMask},");
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"That convolution or pooling layer has no dropout.\"),");
            }
            w.Line(";");
            w.Line();
        }
    }
}
