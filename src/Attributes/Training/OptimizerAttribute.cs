using System;

namespace CompiledNet
{
    /// <summary>The optimizer of the training step. Without this attribute: SGD with learning rate 0.01.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class OptimizerAttribute : Attribute
    {
        /// <summary>Selects the optimizer.</summary>
        public OptimizerAttribute(OptimizerKind kind) => Kind = kind;

        /// <summary>The selected optimizer.</summary>
        public OptimizerKind Kind { get; }

        /// <summary>Initial learning rate η (&gt; 0). Default 0.01.</summary>
        public float LearningRate { get; set; } = 0.01f;

        /// <summary>Momentum γ of <see cref="OptimizerKind.Momentum"/> and <see cref="OptimizerKind.Nesterov"/>, in [0, 1). Default 0.9.</summary>
        public float Momentum { get; set; } = 0.9f;

        /// <summary>Decay ρ of RMSProp's running average of g², in [0, 1). Default 0.9.</summary>
        public float Rho { get; set; } = 0.9f;

        /// <summary>Adam's decay of the first moment, in [0, 1). Default 0.9.</summary>
        public float Beta1 { get; set; } = 0.9f;

        /// <summary>Adam's decay of the second moment, in [0, 1). Default 0.999.</summary>
        public float Beta2 { get; set; } = 0.999f;

        /// <summary>ε of Adagrad, RMSProp (inside the square root) and Adam (added to √v̂), &gt; 0. Default 1e-8.</summary>
        public float Epsilon { get; set; } = 1e-8f;

        /// <summary>
        /// Learning-rate decay per <see cref="DecayEvery"/> epochs, in (0, 1]: η_e = η·Decay^⌊e / DecayEvery⌋ for the
        /// 0-based epoch e. 1 (the default) keeps η constant; DecayEvery = 1 is exponential decay per epoch, a larger
        /// DecayEvery is step decay. The training loop applies it.
        /// </summary>
        public float Decay { get; set; } = 1f;

        /// <summary>Epochs between two decays of the learning rate (≥ 1). Default 1.</summary>
        public int DecayEvery { get; set; } = 1;
    }
}
