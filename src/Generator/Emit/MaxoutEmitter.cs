using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Maxout units (Goodfellow et al., 2013, arXiv:1302.4389), all of it: the buffers of pieces, winners and piece
    /// gradients, the reduction of each unit's pieces to their maximum, and the routing of δ to the winning piece.
    /// </summary>
    internal sealed class MaxoutEmitter : DenseOption, IDenseUnits
    {
        public override bool IsActive(LayerSpec layer) => layer.Activation == ActivationKind.Maxout;

        /// <summary>Maxout replaces the activation: the units are the largest of their pieces.</summary>
        public override IDenseUnits? Units => this;

        /// <summary>
        /// The training buffers of pieces, winners and piece gradients; and, when one row's pieces are more than
        /// <see cref="NetworkPlan.StackFloats"/> floats, the per-thread buffer that holds them in inference instead of the stack.
        /// </summary>
        public override void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            var layer = lp.Spec;
            DenseEmitter.BufferField(w, lp, lp.Pieces, $"BatchSize * {Int(layer.Width)}", $"the {Int(layer.Pieces)} linear pieces of each maxout unit");
            DenseEmitter.BufferField(w, lp, lp.Winners, $"BatchSize * {Int(layer.Units)}", "index of each unit's winning piece", "int");
            DenseEmitter.BufferField(w, lp, lp.PieceDeltas, $"BatchSize * {Int(layer.Width)}", "∂L/∂pieces");
            if (!PiecesOnStack(layer))
                w.Line($"[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? {lp.PiecesScratch}; // layer {lp.Number}: one row's pieces in inference, too many for the stack");
        }

        /// <summary>One row's pieces live on the stack in inference up to <see cref="NetworkPlan.StackFloats"/> floats.</summary>
        private static bool PiecesOnStack(LayerSpec layer) => layer.Width <= NetworkPlan.StackFloats;

        /// <summary>One row's pieces: on the stack, or in the per-thread buffer (allocated on the thread's first prediction) when they are too many.</summary>
        public string EmitInferTarget(IndentedWriter w, LayerPlan lp)
        {
            int width = lp.Spec.Width;
            w.Line(PiecesOnStack(lp.Spec)
                ? $"global::System.Span<float> piecesBuffer = stackalloc float[{Int(width)}];"
                : $"global::System.Span<float> piecesBuffer = {lp.PiecesScratch} ??= {NewBuffer(Int(width))};");
            w.Line("ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(piecesBuffer);");
            return "z";
        }

        public void EmitInfer(IndentedWriter w, VectorWidth vw, LayerPlan lp, string linear) => EmitReduce(w, lp.Spec, linear, "y", null);

        public string InferRowsTarget => "scratch";

        public void EmitInferRows(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            var layer = lp.Spec;
            using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                EmitReduce(w, layer, RowAt("scratch", layer.Width), RowAt("output", layer.Units), null);
        }

        /// <summary>Training: the units of rows [start, start + count) from their pieces at y, each winner's index kept for backward.</summary>
        public void EmitForward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            var layer = lp.Spec;
            int units = layer.Units;
            using (w.Open())
            {
                w.Line($"ref float a = ref {DenseEmitter.StartRow(lp.Activations, units)};");
                w.Line($"ref int winner = ref {DenseEmitter.StartRowOfInts(lp.Winners, units)};");
                using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                    EmitReduce(w, layer, RowAt("y", layer.Width), RowAt("a", units), RowAt("winner", units));
            }
        }

        public string? BackwardNote(LayerPlan lp) => "to the winning piece of each maxout unit";

        /// <summary>The ref of row <c>row</c> of a matrix of <paramref name="width"/> columns at ref <paramref name="matrix"/>.</summary>
        private static string RowAt(string matrix, int width)
            => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {matrix}, row * {Int(width)})";

        /// <summary>Maxout: each unit is the largest of its k consecutive pieces; in training, the winner's index is kept for backward.</summary>
        private static void EmitReduce(IndentedWriter w, LayerSpec layer, string pieces, string output, string? winner)
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
        public void EmitBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            var layer = lp.Spec;
            int units = layer.Units, width = layer.Width;
            w.Line($"// maxout: each unit's gradient goes to its winning piece; the other pieces get 0");
            w.Line($"ref float dPieces = ref {DenseEmitter.StartRow(lp.PieceDeltas, width)};");
            using (w.Open())
            {
                w.Line($"ref int winner = ref {DenseEmitter.StartRowOfInts(lp.Winners, units)};");
                w.Line($"global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref dPieces, count * {Int(width)}).Clear();");
                using (w.Open($"for (nuint j = 0; j < rows * {Int(units)}; j++)"))
                    w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref dPieces, (j / {Int(units)}) * {Int(width)} + (j % {Int(units)}) * {Int(layer.Pieces)} + (nuint)global::System.Runtime.CompilerServices.Unsafe.Add(ref winner, j)) = global::System.Runtime.CompilerServices.Unsafe.Add(ref d, j);");
            }
            w.Line("d = ref dPieces; // from here on, δ is over the pieces");
        }
    }
}
