using CompiledNet;

// The Fashion-MNIST network, shared by the trainer (samples/FashionMnist) and the server (samples/Serve): a
// checkpoint loads only into the declaration that saved it (its fingerprint covers every shape and option).
[Network(Input = 784, BatchSize = 32)]
[Dense(256, Activation.ReLU, Init = WeightInit.He)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
public partial class FashionNet { }
