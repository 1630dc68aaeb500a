namespace CompiledNet
{
    /// <summary>The loss the training step minimises (mean over the examples of a batch).</summary>
    public enum LossKind
    {
        /// <summary>Quadratic loss: Σ_k (a_k − y_k)² per example (no ½ factor).</summary>
        Quadratic = 0,
        /// <summary>Log-loss (binary cross-entropy) on sigmoid outputs: −Σ_k [y_k ln a_k + (1 − y_k) ln(1 − a_k)].</summary>
        LogLoss = 1,
        /// <summary>Softmax cross-entropy: −Σ_k y_k ln p_k, computed stably from the logits and fused with the softmax gradient.</summary>
        SoftmaxCrossEntropy = 2,
    }
}
