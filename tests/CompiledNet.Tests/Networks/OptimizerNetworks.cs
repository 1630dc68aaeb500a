namespace CompiledNet.Tests.Networks;

// 3 → 9 linear: 27 weights (three vectors and a scalar tail of 3) and 9 biases (one vector and a tail of 1),
// so every optimizer's vector body and scalar tail are both exercised. Non-default hyperparameters prove they are used.
[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
public partial class SgdStepNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f, Momentum = 0.8f)]
public partial class MomentumStepNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Nesterov, LearningRate = 0.05f, Momentum = 0.8f)]
public partial class NesterovStepNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adagrad, LearningRate = 0.05f, Epsilon = 1e-6f)]
public partial class AdagradStepNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.RmsProp, LearningRate = 0.05f, Rho = 0.85f, Epsilon = 1e-6f)]
public partial class RmsPropStepNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.05f, Beta1 = 0.8f, Beta2 = 0.99f, Epsilon = 1e-6f)]
public partial class AdamStepNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
[Regularization(L2 = 0.1f)]
public partial class L2SgdNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.05f)]
[Regularization(L2 = 0.1f)]
public partial class L2AdamNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.05f)]
[Regularization(WeightDecay = 0.01f)]
public partial class DecayAdamNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.5f)]
[Regularization(L1 = 0.2f)]
public partial class L1SgdNet { }

[Network(Input = 3, BatchSize = 4)]
[Dense(9, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f, Decay = 0.5f, DecayEvery = 2)]
public partial class StepDecayNet { }

// Least squares 4 → 1, full batch: a convex problem with a known optimum.
[Network(Input = 4, BatchSize = 64)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class LsqSgd { }

[Network(Input = 4, BatchSize = 64)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f)]
public partial class LsqMomentum { }

[Network(Input = 4, BatchSize = 64)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Nesterov, LearningRate = 0.05f)]
public partial class LsqNesterov { }

[Network(Input = 4, BatchSize = 64)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adagrad, LearningRate = 0.5f)]
public partial class LsqAdagrad { }

[Network(Input = 4, BatchSize = 64)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.RmsProp, LearningRate = 0.01f, Decay = 0.9f, DecayEvery = 100)]
public partial class LsqRmsProp { }

[Network(Input = 4, BatchSize = 64)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.05f, Decay = 0.9f, DecayEvery = 100)]
public partial class LsqAdam { }
