namespace CompiledNet.Tests.Networks;

// 30,000 outputs: Loss(x, label) holds a target, the logits and the outputs at once, 3 × 30,000 floats (352 KiB),
// more than the stack budget of one-row inference (16,384 floats, 64 KiB): they go to a per-thread buffer.
[Network(Input = 3, BatchSize = 2)]
[Dense(8, Activation.Tanh)]
[Dense(30000, Activation.Linear)]
[Loss(LossKind.Quadratic)]
public partial class WideOutputNet { }

// 6,000 maxout units of 3 pieces: one row's 18,000 pieces are more than the stack budget (16,384 floats).
[Network(Input = 3, BatchSize = 2)]
[Dense(6000, Activation.Maxout, Pieces = 3)]
[Dense(2, Activation.Linear)]
[Loss(LossKind.Quadratic)]
public partial class WidePiecesNet { }
