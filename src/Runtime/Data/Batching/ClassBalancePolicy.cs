using System;
using System.Collections.Generic;

namespace CompiledNet
{
    /// <summary>What a class-balanced epoch does when the classes have different sizes.</summary>
    public enum ClassBalancePolicy
    {
        /// <summary>
        /// Every class contributes as many examples as the largest class has: the largest class's examples appear
        /// exactly once each, a smaller class's examples are repeated (each ⌊M/n⌋ or ⌈M/n⌉ times, a fresh random
        /// choice of which get the extra repeat every epoch). The epoch has k·M examples. Nothing is left out.
        /// </summary>
        Oversample,

        /// <summary>
        /// Every class contributes as many examples as the smallest class has (m): a larger class's m are drawn
        /// afresh without replacement every epoch, so over several epochs all of its examples take part. The epoch
        /// has k·m examples (shorter).
        /// </summary>
        Undersample,

        /// <summary>
        /// The epoch keeps the data set's size N and each class gets N/k slots (±1): larger classes are undersampled,
        /// smaller ones oversampled, each class's examples taken from fresh random permutations — the same as drawing
        /// the class of each slot with equal weights, but exact per batch.
        /// </summary>
        EqualShare,
    }
}
