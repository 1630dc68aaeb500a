using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Activation passes, row by row with the layer width as a constant: full vectors, then the tail unrolled.
    /// Sigmoid, tanh and softmax call the scalar math library (their cost is O(units), not O(inputs·units)).
    /// </summary>
    internal static class ActivationEmitter
    {
        /// <summary>a = f(z) for <paramref name="count"/> rows (one row when null); <paramref name="z"/> and <paramref name="a"/> may be the same buffer.</summary>
        public static void Forward(IndentedWriter w, VectorWidth vw, LayerSpec layer, string z, string a, string? count)
        {
            int units = layer.Units;
            bool inPlace = z == a;
            if (layer.Activation == ActivationKind.Linear && inPlace) return;
            w.Line($"// activation: {layer.Activation}");
            using (w.Open())
            {
                w.Line($"ref float src = ref {z};");
                w.Line(inPlace ? "ref float dst = ref src;" : $"ref float dst = ref {a};");
                using (RowLoop(w, count))
                {
                    w.Line($"ref float zr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref src, row * {Int(units)});");
                    w.Line($"ref float ar = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref dst, row * {Int(units)});");
                    switch (layer.Activation)
                    {
                        case ActivationKind.Linear:
                            Elementwise.Unrolled(w, vw, units, Stmt.Store("ar", Expr.Load("zr")));
                            break;
                        case ActivationKind.ReLU:
                            Elementwise.Unrolled(w, vw, units, Stmt.Store("ar", Expr.Max(Expr.Load("zr"), Expr.Zero)));
                            break;
                        case ActivationKind.Sigmoid:
                            Refs.Over(w, "j", units, at => w.Line($"{at("ar")} = global::CompiledNet.CompilerServices.Kernels.Sigmoid({at("zr")});"));
                            break;
                        case ActivationKind.Tanh:
                            Refs.Over(w, "j", units, at => w.Line($"{at("ar")} = global::System.MathF.Tanh({at("zr")});"));
                            break;
                        case ActivationKind.Softmax:
                            w.Line($"{SoftmaxHelper}(ref zr, ref ar);");
                            break;
                        default:
                            throw new InvalidOperationException("activation " + layer.Activation);
                    }
                }
            }
        }

        /// <summary>Name of the one softmax of a network (softmax is allowed on the output layer only).</summary>
        public const string SoftmaxHelper = "SoftmaxRow";

        /// <summary>
        /// The softmax of one output row, written once per network and called by every pass that needs it
        /// (Predict, PredictRows, the training forward pass). Only for networks whose output layer is softmax.
        /// </summary>
        public static void EmitSoftmaxHelper(IndentedWriter w, int units)
        {
            w.Line("/// <summary>a = softmax(z) over one row of OutputSize values, shifted by the row maximum so no exponent overflows; z and a may be the same.</summary>");
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (w.Member($"private static void {SoftmaxHelper}(ref float zr, ref float ar)"))
            {
                EmitRowMax(w, "zr", units, "j");
                w.Line("float sum = 0f;");
                using (w.Open($"for (nuint j = 0; j < {Int(units)}; j++)"))
                {
                    w.Line("float e = global::System.MathF.Exp(global::System.Runtime.CompilerServices.Unsafe.Add(ref zr, j) - max);");
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, j) = e;");
                    w.Line("sum += e;");
                }
                w.Line("float inv = 1f / sum;");
                using (w.Open($"for (nuint j = 0; j < {Int(units)}; j++)"))
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, j) *= inv;");
            }
            w.Line();
        }

        /// <summary>float max = the largest of the <paramref name="units"/> values at ref <paramref name="z"/> (softmax and its loss shift by it).</summary>
        public static void EmitRowMax(IndentedWriter w, string z, int units, string variable)
        {
            w.Line($"float max = {z};");
            using (w.Open($"for (nuint {variable} = 1; {variable} < {Int(units)}; {variable}++)"))
                w.Line($"max = global::System.MathF.Max(max, {Refs.At(z, variable)});");
        }

        /// <summary>δ ← δ ⊙ f′ for <paramref name="count"/> rows, with f′ written in terms of the stored output a.</summary>
        public static void Backward(IndentedWriter w, VectorWidth vw, LayerSpec layer, string a, string d, string? count)
        {
            int units = layer.Units;
            if (layer.Activation == ActivationKind.Linear) return;
            var av = Expr.Bound("av", Expr.Load("ar"));
            Stmt derivative = layer.Activation switch
            {
                ActivationKind.ReLU => Stmt.ZeroUnlessPositive("dr", Expr.Load("ar")),
                ActivationKind.Sigmoid => Stmt.With(new[] { av }, Stmt.Store("dr", Expr.Load("dr") * av * (Expr.One - av))),
                ActivationKind.Tanh => Stmt.With(new[] { av }, Stmt.Scale("dr", Expr.One - av * av)),
                _ => throw new InvalidOperationException("hidden activation " + layer.Activation),
            };
            string f = layer.Activation switch
            {
                ActivationKind.ReLU => "1 where a > 0, else 0",
                ActivationKind.Sigmoid => "a(1 − a)",
                _ => "1 − a²",
            };
            w.Line($"// δ ← δ ⊙ f′, {layer.Activation}: f′ = {f}");
            using (w.Open())
            {
                w.Line($"ref float aBase = ref {a};");
                using (RowLoop(w, count))
                {
                    w.Line($"ref float ar = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref aBase, row * {Int(units)});");
                    w.Line($"ref float dr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {d}, row * {Int(units)});");
                    Elementwise.Unrolled(w, vw, units, derivative);
                }
            }
        }

        /// <summary>A loop over <paramref name="count"/> rows, or one row (row = 0) when <paramref name="count"/> is null.</summary>
        private static IndentedWriter.Block RowLoop(IndentedWriter w, string? count)
        {
            if (count is null)
            {
                var block = w.Open();
                w.Line("const nuint row = 0;");
                return block;
            }
            return w.Open($"for (nuint row = 0; row < (nuint){count}; row++)");
        }
    }
}
