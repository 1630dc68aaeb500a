using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Maxout units (Goodfellow et al., 2013, arXiv:1302.4389), all of it: the buffers of pieces, winners and piece
    /// gradients, the reduction of each unit's pieces to their maximum, and the routing of δ to the winning piece.
    /// </summary>
    internal static class MaxoutEmitter
    {
        public static void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            var layer = lp.Spec;
            w.Line($"private readonly float[] {lp.Pieces} = new float[BatchSize * {Int(layer.Width)}]; // layer {lp.Number}: the {Int(layer.Pieces)} linear pieces of each maxout unit");
            w.Line($"private readonly int[] {lp.Winners} = new int[BatchSize * {Int(layer.Units)}]; // layer {lp.Number}: index of each unit's winning piece");
            w.Line($"private readonly float[] {lp.PieceDeltas} = new float[BatchSize * {Int(layer.Width)}]; // layer {lp.Number}: ∂L/∂pieces");
        }

        /// <summary>Maxout: each unit is the largest of its k consecutive pieces; in training, the winner's index is kept for backward.</summary>
        public static void EmitReduce(IndentedWriter w, LayerSpec layer, string pieces, string output, string? winner)
        {
            int k = layer.Pieces;
            w.Line($"// maxout: unit u = max over pieces [u·{Int(k)}, u·{Int(k)} + {Int(k)})");
            using (w.Open())
            {
                w.Line($"ref float zp = ref {pieces};");
                w.Line($"ref float ap = ref {output};");
                if (winner != null) w.Line($"ref int wp = ref {winner};");
                using (w.Open($"for (nuint u = 0; u < {Int(layer.Units)}; u++)"))
                {
                    w.Line($"ref float group = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref zp, u * {Int(k)});");
                    w.Line("float best = group;");
                    w.Line("int at = 0;");
                    using (w.Open($"for (int j = 1; j < {Int(k)}; j++)"))
                        w.Line("if (global::System.Runtime.CompilerServices.Unsafe.Add(ref group, j) > best) { best = global::System.Runtime.CompilerServices.Unsafe.Add(ref group, j); at = j; }");
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ap, u) = best;");
                    if (winner != null) w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref wp, u) = at;");
                }
            }
        }

        /// <summary>δ over the units becomes δ over the pieces: each unit's gradient to its winning piece, 0 to the others; d then refers to the pieces.</summary>
        public static void EmitBackward(IndentedWriter w, LayerPlan lp)
        {
            var layer = lp.Spec;
            int units = layer.Units, width = layer.Width;
            w.Line($"// maxout: each unit's gradient goes to its winning piece; the other pieces get 0");
            w.Line($"ref float dPieces = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.PieceDeltas}), (nuint)start * {Int(width)});");
            using (w.Open())
            {
                w.Line($"ref int winner = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.Winners}), (nuint)start * {Int(units)});");
                w.Line($"global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref dPieces, count * {Int(width)}).Clear();");
                using (w.Open($"for (nuint j = 0; j < rows * {Int(units)}; j++)"))
                    w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref dPieces, (j / {Int(units)}) * {Int(width)} + (j % {Int(units)}) * {Int(layer.Pieces)} + (nuint)global::System.Runtime.CompilerServices.Unsafe.Add(ref winner, j)) = global::System.Runtime.CompilerServices.Unsafe.Add(ref d, j);");
            }
            w.Line("d = ref dPieces; // from here on, δ is over the pieces");
        }
    }
}
