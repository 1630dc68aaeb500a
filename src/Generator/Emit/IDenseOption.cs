using System.Collections.Generic;
using System.Linq;
using CompiledNet.Generator.Model;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// One option of a dense layer (batch norm, maxout, dropout, DropConnect) and everything it adds to the layer's
    /// generated code. The dense core (<see cref="DenseEmitter"/>) takes a layer's active options from its plan
    /// (<see cref="LayerPlan.Options"/>, in the order of <see cref="DenseOptions"/>) and calls them at each point of its
    /// passes where an option has a say; an option contributes only at the points of its stage of the layer:
    /// <list type="bullet">
    /// <item>the weights the products read (DropConnect: W ⊙ mask, drawn once per mini-batch);</item>
    /// <item>a step over the whole batch between the linear part and the units (batch norm): the training forward and
    /// backward become three methods around it, and a split step runs it on the calling thread;</item>
    /// <item>the units themselves (maxout replaces the activation by a reduction of several linear pieces:
    /// <see cref="Units"/>);</item>
    /// <item>the outputs after the units (dropout: a masked copy forward, δ ⊙ mask backward).</item>
    /// </list>
    /// A new option is one implementation in its own file (derived from <see cref="DenseOption"/>, which does nothing
    /// at every point) and one entry in <see cref="DenseOptions"/>.
    /// </summary>
    internal interface IDenseOption
    {
        /// <summary>Whether <paramref name="layer"/> has this option.</summary>
        bool IsActive(LayerSpec layer);

        // ---- state and initialisation

        /// <summary>The option's training buffers (and per-thread inference buffers), as fields of the network class.</summary>
        void EmitFields(IndentedWriter w, LayerPlan lp);

        /// <summary>Words added to the initialisation's summary for the parameters the option owns ("" for none).</summary>
        string InitNote(LayerSpec layer);

        /// <summary>Initialisation of the parameters and statistics the option owns, after the weights.</summary>
        void EmitInit(IndentedWriter w, LayerPlan lp, Layout layout);

        // ---- the weights: DropConnect

        /// <summary>
        /// The ref expression of the weights the training forward and the input gradient read instead of the layer's
        /// parameters (the weights as used this step), or null when the option does not change them.
        /// </summary>
        string? WeightsInUse(LayerPlan lp);

        /// <summary>At the start of the training forward's linear part: makes this step's weights ready (drawn once per mini-batch).</summary>
        void EmitPrepareWeights(IndentedWriter w, LayerPlan lp);

        /// <summary>The methods that make this step's weights, written after the training forward.</summary>
        void EmitWeightMethods(IndentedWriter w, LayerPlan lp, Layout layout);

        /// <summary>A split step prepares this step's weights before its parts start (in <c>DrawMasks</c>).</summary>
        void EmitSplitPrepareWeights(IndentedWriter w, LayerPlan lp);

        /// <summary>Words added to the "weight gradients" step of the backward summary ("" for none).</summary>
        string WeightGradientNote(LayerSpec layer);

        /// <summary>After ∂L/∂W is in gw: what the option does to it.</summary>
        void EmitWeightGradient(IndentedWriter w, VectorWidth vw, LayerPlan lp);

        // ---- a step over the whole batch between the linear part and the units: batch norm

        /// <summary>
        /// The option works over every row of the batch between the linear part and the units: inference writes the
        /// linear part as its own method (<see cref="LayerPlan.InferLinear"/>), training writes the forward and the
        /// backward as three methods each around <see cref="EmitBatchForward"/> and <see cref="EmitBatchBackward"/>.
        /// It works in place over the linear part's outputs, which are the units' inputs (the parser does not
        /// accept it with an option that changes the units).
        /// </summary>
        bool SpansBatch { get; }

        /// <summary>Words added to the summary of the inference methods ("" for none).</summary>
        string InferenceNote(LayerSpec layer);

        /// <summary>Inference after the linear part, in place over y (one row), or over <c>count</c> rows of <c>output</c> when <paramref name="rows"/> is true.</summary>
        void EmitInference(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, bool rows);

        /// <summary>The training forward's step over the whole batch (<see cref="LayerPlan.BatchNormForward"/>).</summary>
        void EmitBatchForward(IndentedWriter w, LayerPlan lp, Layout layout);

        /// <summary>The backward's step over the whole batch (<see cref="LayerPlan.BatchNormBackward"/>).</summary>
        void EmitBatchBackward(IndentedWriter w, LayerPlan lp, Layout layout);

        /// <summary>The backward summary's words for the step over the whole batch, or null.</summary>
        string? BatchBackwardNote { get; }

        // ---- the units: maxout

        /// <summary>How the layer's units come from its linear part when the option replaces the activation, or null.</summary>
        IDenseUnits? Units { get; }

        // ---- the outputs after the units: dropout

        /// <summary>Words added to the training forward's summary ("" for none).</summary>
        string ForwardNote(LayerPlan lp);

        /// <summary>Words added to the summary of the forward's activation method (a layer split around a batch step; "" for none).</summary>
        string ActivationNote(LayerSpec layer);

        /// <summary>The training forward over the layer's outputs after the units, rows [start, start + count).</summary>
        void EmitOutputsForward(IndentedWriter w, VectorWidth vw, LayerPlan lp);

        /// <summary>The backward summary's words for the step through the outputs (before the units' derivative), or null.</summary>
        string? OutputsBackwardNote { get; }

        /// <summary>The backward through the outputs, before the units' derivative, over δ of rows [start, start + count) (refs d and rows declared).</summary>
        void EmitOutputsBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp);

        /// <summary>A split step draws the option's masks before its parts start (in <c>DrawMasks</c>), after the weights are prepared.</summary>
        void EmitSplitDrawMasks(IndentedWriter w, LayerPlan lp);

        // ---- a step split by the hidden layers' inputs

        /// <summary>
        /// The option's work fits a step split by the hidden layers' inputs (<see cref="NetworkPlan.SplitsInputs"/>): it
        /// runs on the calling thread over the whole batch after the parts' outputs are summed (batch norm, dropout), and
        /// does not change the weights the parts read (DropConnect does) or the units (maxout does).
        /// </summary>
        bool SharesInputs { get; }
    }

    /// <summary>
    /// How a dense layer's units come from its linear part: the activation (<see cref="ActivationUnits"/>, the core's
    /// own) or maxout's largest of several pieces. Every pass of the core calls the layer's units the same way.
    /// </summary>
    internal interface IDenseUnits
    {
        /// <summary>One row's inference: declares where the linear part is written and returns its ref name ("y" to compute the units in place).</summary>
        string EmitInferTarget(IndentedWriter w, LayerPlan lp);

        /// <summary>One row's inference: the units into y from the linear part at <paramref name="linear"/>.</summary>
        void EmitInfer(IndentedWriter w, VectorWidth vw, LayerPlan lp, string linear);

        /// <summary>Batched inference: the ref name the linear part of the rows is written to (<c>output</c> or <c>scratch</c>).</summary>
        string InferRowsTarget { get; }

        /// <summary>Batched inference: the units of <c>count</c> rows into <c>output</c>.</summary>
        void EmitInferRows(IndentedWriter w, VectorWidth vw, LayerPlan lp);

        /// <summary>Training forward: the units of rows [start, start + count) from the linear part (ref y at row start).</summary>
        void EmitForward(IndentedWriter w, VectorWidth vw, LayerPlan lp);

        /// <summary>The backward summary's words for the units' derivative, or null when there is none.</summary>
        string? BackwardNote(LayerPlan lp);

        /// <summary>Backward: δ over the units becomes δ over the linear part (refs d and rows declared).</summary>
        void EmitBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp);
    }

    /// <summary>An option that contributes nothing at any point; each option overrides the points of its stage.</summary>
    internal abstract class DenseOption : IDenseOption
    {
        public abstract bool IsActive(LayerSpec layer);

        public abstract void EmitFields(IndentedWriter w, LayerPlan lp);

        public virtual string InitNote(LayerSpec layer) => "";

        public virtual void EmitInit(IndentedWriter w, LayerPlan lp, Layout layout) { }

        public virtual string? WeightsInUse(LayerPlan lp) => null;

        public virtual void EmitPrepareWeights(IndentedWriter w, LayerPlan lp) { }

        public virtual void EmitWeightMethods(IndentedWriter w, LayerPlan lp, Layout layout) { }

        public virtual void EmitSplitPrepareWeights(IndentedWriter w, LayerPlan lp) { }

        public virtual string WeightGradientNote(LayerSpec layer) => "";

        public virtual void EmitWeightGradient(IndentedWriter w, VectorWidth vw, LayerPlan lp) { }

        public virtual bool SpansBatch => false;

        public virtual string InferenceNote(LayerSpec layer) => "";

        public virtual void EmitInference(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, bool rows) { }

        public virtual void EmitBatchForward(IndentedWriter w, LayerPlan lp, Layout layout) { }

        public virtual void EmitBatchBackward(IndentedWriter w, LayerPlan lp, Layout layout) { }

        public virtual string? BatchBackwardNote => null;

        public virtual IDenseUnits? Units => null;

        public virtual string ForwardNote(LayerPlan lp) => "";

        public virtual string ActivationNote(LayerSpec layer) => "";

        public virtual void EmitOutputsForward(IndentedWriter w, VectorWidth vw, LayerPlan lp) { }

        public virtual string? OutputsBackwardNote => null;

        public virtual void EmitOutputsBackward(IndentedWriter w, VectorWidth vw, LayerPlan lp) { }

        public virtual void EmitSplitDrawMasks(IndentedWriter w, LayerPlan lp) { }

        public virtual bool SharesInputs => false;
    }

    /// <summary>The registered dense-layer options, in the order their fields are declared and their notes written.</summary>
    internal static class DenseOptions
    {
        private static readonly IReadOnlyList<IDenseOption> All = new IDenseOption[]
        {
            new BatchNormEmitter(),
            new MaxoutEmitter(),
            new DropoutEmitter(),
            new DropConnectEmitter(),
        };

        /// <summary>The options <paramref name="layer"/> has, in registration order.</summary>
        public static IReadOnlyList<IDenseOption> Of(LayerSpec layer) => All.Where(o => o.IsActive(layer)).ToArray();
    }
}
