// CNET0019 (quadratic loss on a saturating output) is deliberate here: the gradient check covers every output × loss pair.
#pragma warning disable CNET0019
namespace CompiledNet.Tests.Networks;

// One network per valid output activation × loss pair, each over the same hidden stack so every hidden activation
// is checked too. Odd widths (17, 33, 9, 3) exercise every kernel tail: chunk loops, leftover vectors, scalar columns.
[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(4, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class SoftmaxCrossEntropyNet { }

[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(2, Activation.Sigmoid)]
[Loss(LossKind.LogLoss)]
public partial class LogLossNet { }

[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(4, Activation.Linear)]
[Loss(LossKind.Quadratic)]
public partial class QuadraticLinearNet { }

[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(4, Activation.Sigmoid)]
[Loss(LossKind.Quadratic)]
public partial class QuadraticSigmoidNet { }

[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(4, Activation.Tanh)]
[Loss(LossKind.Quadratic)]
public partial class QuadraticTanhNet { }

[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(4, Activation.ReLU)]
[Loss(LossKind.Quadratic)]
public partial class QuadraticReLUNet { }

[Network(Input = 5, BatchSize = 5)]
[Dense(17, Activation.Tanh)]
[Dense(33, Activation.ReLU, Init = WeightInit.He)]
[Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
[Dense(3, Activation.Linear)]
[Dense(4, Activation.Softmax)]
[Loss(LossKind.Quadratic)]
public partial class QuadraticSoftmaxNet { }

// A single sigmoid unit with log-loss: the smallest network, one output, labels 0/1.
[Network(Input = 1, BatchSize = 1)]
[Dense(1, Activation.Sigmoid)]
[Loss(LossKind.LogLoss)]
public partial class SingleSigmoidNet { }
