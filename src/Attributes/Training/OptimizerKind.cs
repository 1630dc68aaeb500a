namespace CompiledNet
{
    /// <summary>The update rule applied to the parameters after each mini-batch (g = ∇L of the batch).</summary>
    public enum OptimizerKind
    {
        /// <summary>Plain (mini-batch) stochastic gradient descent: θ ← θ − η·g.</summary>
        Sgd = 0,
        /// <summary>Momentum: δ ← γ·δ + η·g, θ ← θ − δ (γ = <see cref="OptimizerAttribute.Momentum"/>, 0.9).</summary>
        Momentum = 1,
        /// <summary>Nesterov momentum: δ ← γ·δ + η·∇L(θ − γ·δ), θ ← θ − δ; the parameters held are the look-ahead point θ − γ·δ.</summary>
        Nesterov = 2,
        /// <summary>Adagrad: G ← G + g², θ ← θ − η·g/√(G + ε).</summary>
        Adagrad = 3,
        /// <summary>RMSProp: G ← ρ·G + (1 − ρ)·g², θ ← θ − η·g/√(G + ε) (ρ = <see cref="OptimizerAttribute.Rho"/>, 0.9).</summary>
        RmsProp = 4,
        /// <summary>Adam: m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², θ ← θ − η·m̂/(√v̂ + ε) with the bias-corrected m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t).</summary>
        Adam = 5,
    }
}
