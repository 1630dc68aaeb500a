namespace CompiledNet.Tests.Networks;

// A small ReLU classifier: at a far too high learning rate its loss and weights run away while staying finite.
[Network(Input = 8, BatchSize = 16)]
[Dense(16, Activation.ReLU)]
[Dense(4, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class RunawayNet { }
