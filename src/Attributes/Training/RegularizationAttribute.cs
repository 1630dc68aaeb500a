using System;

namespace CompiledNet
{
    /// <summary>
    /// Weight regularisation. It applies to weights only: biases (and batch-norm γ, β) are never regularised.
    /// Order inside one step: weight decay, then the L1 shift, then the optimizer's update with g + 2·L2·w.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class RegularizationAttribute : Attribute
    {
        /// <summary>
        /// Coupled L2: the penalty L2·Σw² is part of the loss, so its gradient 2·L2·w is added to g before the
        /// optimizer (adaptive optimizers rescale it like the rest of g). ≥ 0; default 0.
        /// </summary>
        public float L2 { get; set; }

        /// <summary>
        /// L1 penalty λ·Σ|w|, applied as a shift toward zero before the update: w ← sign(w)·max(|w| − η·λ, 0).
        /// A weight that would cross zero becomes exactly 0; a weight that is 0 stays 0. ≥ 0; default 0.
        /// </summary>
        public float L1 { get; set; }

        /// <summary>
        /// Decoupled weight decay (Loshchilov and Hutter, 2019): before the update every weight is multiplied by (1 − WeightDecay),
        /// independently of η and of the optimizer's scaling. In [0, 1); default 0. For plain SGD it equals L2 with
        /// WeightDecay = 2·η·L2; for adaptive optimizers the two differ.
        /// </summary>
        public float WeightDecay { get; set; }
    }
}
