using System;
using TorchSharp;
using static TorchSharp.torch;

namespace CompiledNet.Bench;

/// <summary>
/// The same networks in TorchSharp-cpu (libtorch with oneMKL), trained the way a TorchSharp user would: the whole
/// training set as one tensor, a fresh <c>randperm</c> every epoch, <c>index_select</c> per batch, a dispose scope
/// per step.
/// </summary>
public sealed class TorchPeer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _x, _y;
    private readonly int _batch;
    private readonly bool _image;

    public TorchPeer(string network, int threads, Dataset train)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(1);
        _model = network switch
        {
            "A" => nn.Sequential(("fc1", nn.Linear(784, 128)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(128, 10))),
            "B" => nn.Sequential(("fc1", nn.Linear(784, 256)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(256, 128)),
                ("relu2", nn.ReLU()), ("fc3", nn.Linear(128, 10))),
            "C" => nn.Sequential(
                ("fc1", nn.Linear(784, 256, hasBias: false)), ("bn1", nn.BatchNorm1d(256)), ("relu1", nn.ReLU()), ("drop1", nn.Dropout(0.2)),
                ("fc2", nn.Linear(256, 128, hasBias: false)), ("bn2", nn.BatchNorm1d(128)), ("relu2", nn.ReLU()), ("drop2", nn.Dropout(0.2)),
                ("fc3", nn.Linear(128, 10))),
            // PyTorch's Flatten is channel-major, the order CompiledNet's first dense layer reads a convolution's output in.
            "D" => nn.Sequential(
                ("conv1", nn.Conv2d(1, 32, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
                ("conv2", nn.Conv2d(32, 64, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
                ("flatten", nn.Flatten()), ("fc1", nn.Linear(3136, 128)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(128, 10))),
            _ => throw new ArgumentException($"Unknown network '{network}' (A, B, C or D).", nameof(network)),
        };
        _batch = network == "A" ? 32 : 64;
        _optimizer = network == "A" ? optim.SGD(_model.parameters(), 0.1) : optim.Adam(_model.parameters(), 1e-3);
        // D reads each row as a 1×28×28 image (the same memory, another shape).
        _image = network == "D";
        _x = torch.tensor(train.AllFeatures.ToArray(), _image ? new long[] { train.Count, 1, 28, 28 } : new long[] { train.Count, 784 });
        var labels = new long[train.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = train.Label(i);
        _y = torch.tensor(labels);
    }

    /// <summary>One epoch over the whole training set; returns the mean loss.</summary>
    public double Epoch()
    {
        _model.train();
        long n = _x.shape[0];
        double sum = 0;
        using var perm = torch.randperm(n);
        for (long start = 0; start < n; start += _batch)
        {
            using var scope = torch.NewDisposeScope();
            long count = Math.Min(_batch, n - start);
            var index = perm.narrow(0, start, count);
            var x = _x.index_select(0, index);
            var y = _y.index_select(0, index);
            _optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(_model.forward(x), y);
            loss.backward();
            _optimizer.step();
            if (start == 0) sum = loss.item<float>();   // one sync per epoch, like a progress display would
        }
        return sum;
    }

    /// <summary>Inference on a prebuilt tensor (no gradient tape, eval mode).</summary>
    public Tensor PrepareInput(int rows, Dataset data) =>
        torch.tensor(data.AllFeatures.Slice(0, rows * 784).ToArray(), _image ? new long[] { rows, 1, 28, 28 } : new long[] { rows, 784 });

    public float Forward(Tensor input)
    {
        using var noGrad = torch.no_grad();
        using var y = _model.forward(input);
        return 0f;
    }

    public void Eval() => _model.eval();

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
