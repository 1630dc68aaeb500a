using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// The health of one layer over a window of training steps (an epoch, under <see cref="Trainer"/>), from the
    /// sampled steps. Statistics that do not apply to the layer's activation are null.
    /// </summary>
    public sealed record LayerHealth
    {
        /// <summary>1-based layer number: of a dense layer among <see cref="ICompiledNetwork.Layers"/>, of a convolution among <see cref="IConvolutional.FeatureLayers"/> (pooling layers counted).</summary>
        public int Layer { get; init; }

        /// <summary>True for a convolution (an entry of <see cref="HealthReport.FeatureLayers"/>), false for a dense layer.</summary>
        public bool IsConvolution { get; init; }

        /// <summary>The layer in words, e.g. "layer 2 (Dense 256 → 128 ReLU)" or "Conv2D 1 (1×28×28 → 32×28×28 ReLU)".</summary>
        public string Description { get; init; } = "";

        /// <summary>The layer's activation.</summary>
        public Activation Activation { get; init; }

        /// <summary>Sigmoid and tanh: share of activations whose derivative is below <see cref="HealthOptions.SaturationLevel"/> of its maximum.</summary>
        public double? SaturatedShare { get; init; }

        /// <summary>Sigmoid and tanh: mean |z| of the pre-activations (recovered from the activations; |z| is capped at 17 for sigmoid and 9 for tanh, where float runs out).</summary>
        public double? MeanAbsPreActivation { get; init; }

        /// <summary>
        /// ReLU: share of units that were 0 for every example of every sampled step. For a convolution the units are its
        /// output channels: a channel is dead when it was 0 at every position of every example of every sampled step.
        /// </summary>
        public double? DeadUnitShare { get; init; }

        /// <summary>ReLU: the dead units (a convolution's dead channels), 0-based, ascending.</summary>
        public IReadOnlyList<int>? DeadUnits { get; init; }

        /// <summary>ReLU: share of activations that were 0.</summary>
        public double? ZeroShare { get; init; }

        /// <summary>Maxout: for each piece index, the share of unit activations it won.</summary>
        public IReadOnlyList<double>? PieceWinShares { get; init; }

        /// <summary>Mean over sampled steps of ‖∂L/∂W‖₂ (the loss gradient, regularisers excluded); NaN, like the other norms, when the window sampled no step.</summary>
        public double WeightGradientNorm { get; init; }

        /// <summary>Mean over sampled steps of the L2 norm of the gradient of the biases (or of γ and β with batch norm); 0 without.</summary>
        public double BiasGradientNorm { get; init; }

        /// <summary>‖W‖₂ after the last sampled step.</summary>
        public double WeightNorm { get; init; }

        /// <summary>Mean over sampled steps of ‖ΔW‖₂ / ‖W‖₂ for the step's update (a common rule of thumb: around 1e-3).</summary>
        public double UpdateToWeightRatio { get; init; }

        /// <summary>Batch norm: mean over units of |batch mean − running mean| in running standard deviations.</summary>
        public double? BatchMeanShift { get; init; }

        /// <summary>Batch norm: mean over units of batch variance / running variance.</summary>
        public double? BatchVarianceRatio { get; init; }
    }
}
