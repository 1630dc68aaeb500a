namespace CompiledNet.Tests.Networks;

[Network(Input = 5, BatchSize = 6)]
[Dense(9, Activation.Tanh, BatchNorm = true)]
[Dense(17, Activation.ReLU, BatchNorm = true)]
[Dense(4, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class BatchNormNet { }

// Batch norm on the output layer, linear: the normalised outputs themselves are visible.
[Network(Input = 5, BatchSize = 16)]
[Dense(7, Activation.Linear, BatchNorm = true)]
[Dense(3, Activation.Linear, BatchNorm = true)]
[Loss(LossKind.Quadratic)]
public partial class BatchNormOutputNet { }

[Network(Input = 5, BatchSize = 6, InputDropout = 0.2f)]
[Dense(9, Activation.Sigmoid, Dropout = 0.3f)]
[Dense(17, Activation.ReLU, DropConnect = 0.4f)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class DropoutNet { }

[Network(Input = 5, BatchSize = 6)]
[Dense(10, Activation.Tanh, BatchNorm = true, Dropout = 0.25f, DropConnect = 0.2f)]
[Dense(3, Activation.Sigmoid)]
[Loss(LossKind.LogLoss)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
public partial class CombinedNet { }

[Network(Input = 20, BatchSize = 50)]
[Dense(40, Activation.ReLU, Dropout = 0.5f)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class HalfDropoutNet { }

[Network(Input = 5, BatchSize = 6)]
[Dense(9, Activation.Maxout, Pieces = 3)]
[Dense(4, Activation.Maxout, Pieces = 2, Dropout = 0.2f)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class MaxoutNet { }

[Network(Input = 5, BatchSize = 4)]
[Dense(9, Activation.Tanh, Bias = false)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
[Regularization(L2 = 0.01f)]
public partial class NoBiasNet { }
