namespace CompiledNet.Tests.Networks;

[Network(Input = 2, BatchSize = 16)]
[Dense(32, Activation.Tanh)]
[Dense(32, Activation.Tanh)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.2f)]
public partial class SpiralNet { }

// Wide enough that inference keeps its hidden activations in a per-thread buffer rather than on the stack.
[Network(Input = 8, BatchSize = 4)]
[Dense(20000, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
public partial class WideNet { }
