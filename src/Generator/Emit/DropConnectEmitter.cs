using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// DropConnect of a dense layer (Wan et al., 2013, "Regularization of Neural Networks using DropConnect"), all of it:
    /// its mask and masked-weight buffers, the per-batch mask and W ⊙ mask, and the mask applied to the weight gradient.
    /// The forward and input-gradient kernels then read W ⊙ mask as ordinary weights.
    /// </summary>
    internal sealed class DropConnectEmitter : DenseOption
    {
        public override bool IsActive(LayerSpec layer) => layer.DropConnect > 0;

        public override void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            var layer = lp.Spec;
            DenseEmitter.BufferField(w, lp, lp.DropConnectMask, Int(layer.Inputs * layer.Width), "0 or 1/(1 − p) per weight");
            DenseEmitter.BufferField(w, lp, lp.MaskedWeights, Int(layer.Inputs * layer.Width), "W ⊙ mask, as used this step");
        }

        /// <summary>
        /// DropConnect's per-batch work: draw the weight mask (unless masks are reused) and materialise W ⊙ mask, which
        /// the forward and input-gradient kernels then use as ordinary weights.
        /// </summary>
        public override void EmitWeightMethods(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            float keep = 1f - layer.DropConnect;
            new VectorMethod("private", "void", lp.DropConnect).Emit(w, DenseEmitter.SummaryText(lp, layout, $"DropConnect: one mask per mini-batch over the {Int(layer.Inputs * layer.Width)} weights, each kept with probability {Number(keep)} and scaled by 1/{Number(keep)}; W ⊙ mask into {lp.MaskedWeights}"), vw =>
            {
                w.Line($"ref float mask = ref {DenseEmitter.First(lp.DropConnectMask)};");
                using (w.Open("if (!ReuseMasks)"))
                    DropoutEmitter.DrawMask(w, "mask", Int(layer.Inputs * layer.Width), layer.DropConnect);
                w.Line($"ref float w = ref {DenseEmitter.First(lp.MaskedWeights)};");
                w.Line($"ref float weights = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {DenseEmitter.First("_parameters")}, {Int(layout.WeightOffset[l])});");
                DenseEmitter.Multiply(w, vw, layer.Inputs * layer.Width, "w", "weights", "mask");
            });
        }

        /// <summary>W ⊙ mask, which the forward and input-gradient kernels read as the layer's weights.</summary>
        public override string? WeightsInUse(LayerPlan lp) => DenseEmitter.First(lp.MaskedWeights);

        /// <summary>The training forward makes this step's W ⊙ mask unless a split step made it before its parts started.</summary>
        public override void EmitPrepareWeights(IndentedWriter w, LayerPlan lp)
            => w.Line($"if (!_masksDrawn) {lp.DropConnect}(); // a split step drew the masks before its parts started");

        public override void EmitSplitPrepareWeights(IndentedWriter w, LayerPlan lp) => w.Line($"{lp.DropConnect}();");

        public override string WeightGradientNote(LayerSpec layer) => " (through the DropConnect mask)";

        /// <summary>∂L/∂W ⊙ mask, over the layer's weight gradient gw.</summary>
        public override void EmitWeightGradient(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            w.Line("// DropConnect: a dropped weight gets no gradient, a kept one the 1/(1 − p) scale it was used with");
            using (w.Open())
            {
                w.Line($"ref float mask = ref {DenseEmitter.First(lp.DropConnectMask)};");
                DenseEmitter.Multiply(w, vw, lp.Spec.Inputs * lp.Spec.Width, "gw", "gw", "mask");
            }
        }
    }
}
