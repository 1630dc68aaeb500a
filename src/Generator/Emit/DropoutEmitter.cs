using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Dropout (Srivastava et al., 2014, JMLR 15) of a dense layer's outputs or of the network's inputs, all of it: its
    /// mask and masked-output buffers, the mask drawing (shared with DropConnect), the masked copy in the training
    /// forward, and the mask applied to δ in the backward pass. Inverted dropout: kept values carry 1/(1 − p), so
    /// inference uses no mask.
    /// </summary>
    internal sealed class DropoutEmitter : DenseOption
    {
        public override bool IsActive(LayerSpec layer) => layer.Dropout > 0;

        public override void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            string size = $"BatchSize * {Int(lp.Spec.Units)}";
            DenseEmitter.BufferField(w, lp, lp.DropoutMask, size, "0 or 1/(1 − p) per unit and example");
            DenseEmitter.BufferField(w, lp, lp.DroppedOutputs, size, "outputs after dropout, the next layer's input");
        }

        public override string ForwardNote(LayerPlan lp) => $", dropout-masked copy in {lp.DroppedOutputs}";

        public override string ActivationNote(LayerSpec layer) => " and dropout";

        /// <summary>The masked copy of the layer's outputs of rows [start, start + count), the next layer's input.</summary>
        public override void EmitOutputsForward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
            => EmitForward(w, vw, DenseEmitter.First(lp.Activations), lp.DroppedOutputs, lp.DropoutMask, lp.Spec.Units, lp.Spec.Dropout, "start");

        public override string? OutputsBackwardNote => "dropout mask";

        /// <summary>A step split by inputs draws the mask on the calling thread as it activates the summed outputs, in a one-thread step's order.</summary>
        public override bool SharesInputs => true;

        /// <summary>A split step's mask of the layer, drawn for <c>count</c> rows from row 0 as a one-thread step draws it.</summary>
        public override void EmitSplitDrawMasks(IndentedWriter w, LayerPlan lp)
        {
            w.Line($"// layer {lp.Number} ({Describer.Layer(lp.Spec)}): its dropout mask");
            using (w.Open("if (!ReuseMasks)"))
            {
                w.Line($"ref float m = ref {DenseEmitter.First(lp.DropoutMask)};");
                DrawMask(w, "m", $"(nuint)count * {Int(lp.Spec.Units)}", lp.Spec.Dropout);
            }
        }

        /// <summary>
        /// mask[j] for j in [0, <paramref name="length"/>): 1/(1 − p) with probability 1 − p, else 0, from the mask
        /// generator. The one mask drawing of the generated code: dropout and DropConnect both call it.
        /// </summary>
        public static void DrawMask(IndentedWriter w, string mask, string length, float rate)
        {
            float keep = 1f - rate;
            w.Line($"const float scale = {Float(1f / keep)};");
            using (w.Open($"for (nuint j = 0; j < {length}; j++)"))
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {mask}, j) = _maskRng.NextFloat() < {Float(keep)} ? scale : 0f;");
        }

        /// <summary>
        /// Draws a dropout mask (unless masks are reused, or a split step drew them already) and writes the masked copy:
        /// out = in ⊙ mask, for rows [start, start + count) when <paramref name="start"/> names the first row, else from
        /// row 0. <paramref name="input"/> is a ref expression to row 0, the others array names.
        /// </summary>
        public static void EmitForward(IndentedWriter w, VectorWidth vw, string input, string output, string mask, int units, float rate, string? start)
        {
            float keep = 1f - rate;
            string at = start is null ? "" : $"(nuint){start} * {Int(units)}";
            string Row0(string array) => start is null ? $"{array}.Data" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {array}.Data, {at})";
            w.Line($"// dropout: each unit of each example kept with probability {Number(keep)} and scaled by 1/{Number(keep)} (inverted dropout)");
            using (w.Open())
            {
                w.Line($"ref float m = ref {Row0(mask)};");
                using (w.Open(start is null ? "if (!ReuseMasks)" : "if (!ReuseMasks && !_masksDrawn)"))
                    DrawMask(w, "m", $"(nuint)count * {Int(units)}", rate);
                w.Line(start is null ? $"ref float source = ref {input};" : $"ref float source = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {input}, {at});");
                w.Line($"ref float target = ref {Row0(output)};");
                using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                {
                    w.Line($"ref float sr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref source, row * {Int(units)});");
                    w.Line($"ref float tr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref target, row * {Int(units)});");
                    w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, row * {Int(units)});");
                    DenseEmitter.Multiply(w, vw, units, "tr", "sr", "mr");
                }
            }
        }

        /// <summary>δ ← δ ⊙ mask over rows [start, start + count) (refs d and rows declared by the caller).</summary>
        public override void EmitOutputsBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            int units = lp.Spec.Units;
            w.Line("// δ ← δ ⊙ dropout mask (dropped units pass no gradient; kept ones carry the 1/(1 − p) scale)");
            using (w.Open())
            {
                w.Line($"ref float m = ref {DenseEmitter.StartRow(lp.DropoutMask, units)};");
                using (w.Open("for (nuint row = 0; row < rows; row++)"))
                {
                    w.Line($"ref float dr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref d, row * {Int(units)});");
                    w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, row * {Int(units)});");
                    DenseEmitter.Multiply(w, vw, units, "dr", "dr", "mr");
                }
            }
        }
    }
}
