using CompiledNet.Generator.Model;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The dense core's own units: the layer's activation, applied in place over the linear part. The output layer's
    /// activation is left to the network (the loss fuses it into its gradient), so there the units are the logits.
    /// </summary>
    internal sealed class ActivationUnits : IDenseUnits
    {
        public static readonly ActivationUnits Instance = new ActivationUnits();

        private ActivationUnits() { }

        public string EmitInferTarget(IndentedWriter w, LayerPlan lp) => "y";

        public void EmitInfer(IndentedWriter w, VectorWidth vw, LayerPlan lp, string linear)
        {
            if (!lp.IsOutput) ActivationEmitter.Forward(w, vw, lp.Spec, linear, "y", null);
        }

        public string InferRowsTarget => "output";

        public void EmitInferRows(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            if (!lp.IsOutput) ActivationEmitter.Forward(w, vw, lp.Spec, "output", "output", "count");
        }

        public void EmitForward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            if (lp.IsOutput)
                ActivationEmitter.Forward(w, vw, lp.Spec, DenseEmitter.StartRow(lp.Logits, lp.Spec.Units), DenseEmitter.StartRow(lp.Activations, lp.Spec.Units), "count");
            else
                ActivationEmitter.Forward(w, vw, lp.Spec, "y", "y", "count");
        }

        public string? BackwardNote(LayerPlan lp)
            => !lp.IsOutput && lp.Spec.Activation != ActivationKind.Linear ? "activation derivative" : null;

        public void EmitBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp)
        {
            if (!lp.IsOutput) ActivationEmitter.Backward(w, vw, lp.Spec, DenseEmitter.StartRow(lp.Activations, lp.Spec.Units), "d", "count");
        }
    }
}
