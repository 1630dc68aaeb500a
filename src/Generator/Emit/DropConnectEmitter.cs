using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// DropConnect of a dense layer (Wan et al., 2013, "Regularization of Neural Networks using DropConnect"), all of it:
    /// its mask and masked-weight buffers, the per-batch mask and W ⊙ mask, and the mask applied to the weight gradient.
    /// The forward and input-gradient kernels then read W ⊙ mask as ordinary weights.
    /// </summary>
    internal static class DropConnectEmitter
    {
        public static void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            var layer = lp.Spec;
            w.Line($"private readonly float[] {lp.DropConnectMask} = new float[{Int(layer.Inputs * layer.Width)}]; // layer {lp.Number}: 0 or 1/(1 − p) per weight");
            w.Line($"private readonly float[] {lp.MaskedWeights} = new float[{Int(layer.Inputs * layer.Width)}]; // layer {lp.Number}: W ⊙ mask, as used this step");
        }

        /// <summary>
        /// DropConnect's per-batch work: draw the weight mask (unless masks are reused) and materialise W ⊙ mask, which
        /// the forward and input-gradient kernels then use as ordinary weights.
        /// </summary>
        public static void EmitMask(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            int n = l + 1;
            float keep = 1f - layer.DropConnect;
            new VectorMethod("private", "void", lp.DropConnect).Emit(w, DenseEmitter.SummaryText(lp, layout, $"DropConnect: one mask per mini-batch over the {Int(layer.Inputs * layer.Width)} weights, each kept with probability {Number(keep)} and scaled by 1/{Number(keep)}; W ⊙ mask into {lp.MaskedWeights}"), vw =>
            {
                w.Line($"ref float mask = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.DropConnectMask});");
                using (w.Open("if (!ReuseMasks)"))
                    DropoutEmitter.DrawMask(w, "mask", Int(layer.Inputs * layer.Width), layer.DropConnect);
                w.Line($"ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.MaskedWeights});");
                w.Line($"ref float weights = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters), {Int(layout.WeightOffset[l])});");
                DenseEmitter.Multiply(w, vw, layer.Inputs * layer.Width, "w", "weights", "mask");
            });
        }

        /// <summary>∂L/∂W ⊙ mask, over the layer's weight gradient gw.</summary>
        public static void EmitGradientMask(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            w.Line("// DropConnect: a dropped weight gets no gradient, a kept one the 1/(1 − p) scale it was used with");
            using (w.Open())
            {
                w.Line($"ref float mask = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference({lp.DropConnectMask});");
                DenseEmitter.Multiply(w, vw, lp.Spec.Inputs * lp.Spec.Width, "gw", "gw", "mask");
            }
        }
    }
}
