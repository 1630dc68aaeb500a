using System;
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
    internal static class DropoutEmitter
    {
        public static void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            string size = $"BatchSize * {Int(lp.Spec.Units)}";
            w.Line($"private readonly float[] {lp.DropoutMask} = new float[{size}]; // layer {lp.Number}: 0 or 1/(1 − p) per unit and example");
            w.Line($"private readonly float[] {lp.DroppedOutputs} = new float[{size}]; // layer {lp.Number}: outputs after dropout, the next layer's input");
        }

        /// <summary>Draws the dropout mask of <paramref name="mask"/> for <c>count</c> rows from row 0, as a one-thread step draws it (the caller opens the block).</summary>
        public static void EmitDrawMask(IndentedWriter w, string mask, int units, float rate)
        {
            w.Line($"ref float m = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({mask});");
            DrawMask(w, "m", $"(nuint)count * {Int(units)}", rate);
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
            string Row0(string array) => start is null ? $"global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({array})" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({array}), {at})";
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
        public static void EmitBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            int units = lp.Spec.Units;
            w.Line("// δ ← δ ⊙ dropout mask (dropped units pass no gradient; kept ones carry the 1/(1 − p) scale)");
            using (w.Open())
            {
                w.Line($"ref float m = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.DropoutMask}), (nuint)start * {Int(units)});");
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
