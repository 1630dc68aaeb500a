namespace CompiledNet.Tests.Networks;

// Two classes from two inputs: with a softmax over two outputs an example is classified wrongly exactly when its
// loss exceeds ln 2, which the loss-based curriculum test relies on.
[Network(Input = 2, BatchSize = 8)]
[Dense(8, Activation.Tanh)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.3f)]
public partial class TwoBlobNet { }

// Images of 4 × 5 pixels in three classes, with dropout (its mask generator is part of the resumed state).
[Network(Input = 20, BatchSize = 6)]
[Dense(12, Activation.ReLU, Dropout = 0.2f)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f)]
public partial class SmallImageNet { }
