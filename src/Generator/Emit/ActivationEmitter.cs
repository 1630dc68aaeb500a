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
        /// <summary>a = f(z) for <paramref name="count"/> rows; <paramref name="z"/> and <paramref name="a"/> may be the same buffer.</summary>
        public static void Forward(IndentedWriter w, LayerSpec layer, string z, string a, string count)
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
                            Elementwise(w, units, "global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref zr, j), ref ar, j);", j => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {j}) = global::System.Runtime.CompilerServices.Unsafe.Add(ref zr, {j});");
                            break;
                        case ActivationKind.ReLU:
                            Elementwise(w, units, "global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.Max(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref zr, j), global::System.Runtime.Intrinsics.Vector256<float>.Zero), ref ar, j);",
                                j => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {j}) = global::System.MathF.Max(global::System.Runtime.CompilerServices.Unsafe.Add(ref zr, {j}), 0f);");
                            break;
                        case ActivationKind.Sigmoid:
                            using (w.Open($"for (nuint j = 0; j < {Int(units)}; j++)"))
                                w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, j) = global::CompiledNet.CompilerServices.Kernels.Sigmoid(global::System.Runtime.CompilerServices.Unsafe.Add(ref zr, j));");
                            break;
                        case ActivationKind.Tanh:
                            using (w.Open($"for (nuint j = 0; j < {Int(units)}; j++)"))
                                w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, j) = global::System.MathF.Tanh(global::System.Runtime.CompilerServices.Unsafe.Add(ref zr, j));");
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
            using (w.Open($"private static void {SoftmaxHelper}(ref float zr, ref float ar)"))
            {
                w.Line("float max = zr;");
                using (w.Open($"for (nuint j = 1; j < {Int(units)}; j++)"))
                    w.Line("max = global::System.MathF.Max(max, global::System.Runtime.CompilerServices.Unsafe.Add(ref zr, j));");
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

        /// <summary>δ ← δ ⊙ f′ for <paramref name="count"/> rows, with f′ written in terms of the stored output a.</summary>
        public static void Backward(IndentedWriter w, LayerSpec layer, string a, string d, string count)
        {
            int units = layer.Units;
            string? vector, scalar;
            switch (layer.Activation)
            {
                case ActivationKind.Linear:
                    return;
                case ActivationKind.ReLU:
                    vector = "global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref dr, j) & global::System.Runtime.Intrinsics.Vector256.GreaterThan(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref ar, j), global::System.Runtime.Intrinsics.Vector256<float>.Zero), ref dr, j);";
                    scalar = "if (!(global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {0}) > 0f)) global::System.Runtime.CompilerServices.Unsafe.Add(ref dr, {0}) = 0f;";
                    break;
                case ActivationKind.Sigmoid:
                    vector = "{ var av = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref ar, j); global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref dr, j) * av * (global::System.Runtime.Intrinsics.Vector256<float>.One - av), ref dr, j); }";
                    scalar = "global::System.Runtime.CompilerServices.Unsafe.Add(ref dr, {0}) *= global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {0}) * (1f - global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {0}));";
                    break;
                case ActivationKind.Tanh:
                    vector = "{ var av = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref ar, j); global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref dr, j) * (global::System.Runtime.Intrinsics.Vector256<float>.One - av * av), ref dr, j); }";
                    scalar = "global::System.Runtime.CompilerServices.Unsafe.Add(ref dr, {0}) *= 1f - global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {0}) * global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, {0});";
                    break;
                default:
                    throw new InvalidOperationException("hidden activation " + layer.Activation);
            }
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
                    Elementwise(w, units, vector, j => string.Format(scalar, j));
                }
            }
        }

        private static IndentedWriter.Block RowLoop(IndentedWriter w, string count)
        {
            if (count == "1")
            {
                var block = w.Open();
                w.Line("const nuint row = 0;");
                return block;
            }
            return w.Open($"for (nuint row = 0; row < (nuint){count}; row++)");
        }

        private static void Elementwise(IndentedWriter w, int units, string vectorStatement, Func<string, string> scalarStatement)
        {
            int full = units / 8 * 8;
            if (full > 0)
                using (w.Open($"for (nuint j = 0; j < {Int(full)}; j += 8)"))
                    w.Line(vectorStatement);
            for (int t = full; t < units; t++)
                w.Line(scalarStatement(Int(t)));
        }
    }
}
