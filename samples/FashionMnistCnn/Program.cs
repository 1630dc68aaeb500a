using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using CompiledNet;
using CompiledNet.CompilerServices;
using CompiledNet.Samples;

// Trains FashionCnn (samples/Shared/FashionCnn.cs) on Fashion-MNIST, reports the test accuracy after each epoch and
// writes the per-epoch figures as fashion-mnist-cnn.csv and fashion-mnist-cnn.png.
// Usage: dotnet run -c Release --project samples/FashionMnistCnn -- [options]; --help lists them.

var dataOption = SampleCommandLine.Data();
var epochsOption = SampleCommandLine.Int("--epochs", "passes over the 60,000 training images", "N", 15);
var seedOption = SampleCommandLine.Int("--seed", "seed of the initial weights, the dropout masks and the shuffling", "N", 1, min: 0);
var threadsOption = SampleCommandLine.Int("--threads", "threads of a training step (default: the machine's logical processors)", "N",
    Math.Min(Environment.ProcessorCount, WorkerPool.MaxThreads), max: WorkerPool.MaxThreads);
var limitOption = SampleCommandLine.Int("--train-limit", "train on the first N training images only (for a quick run)", "N", null, max: 60_000);
var saveOption = SampleCommandLine.Text("--save", "write a checkpoint of the trained network to this file", "FILE");
var outOption = SampleCommandLine.Out("fashion-mnist-cnn.csv and fashion-mnist-cnn.png (loss and accuracy per epoch)");
var root = new RootCommand("Trains a small convolutional network (2 × [3×3 conv, 2×2 max pool], 128 ReLU with dropout, 10 softmax; Adam) on Fashion-MNIST.")
{
    dataOption, epochsOption, seedOption, threadsOption, limitOption, saveOption, outOption,
};
root.SetAction(parsed => Run(parsed.GetValue(dataOption)!, parsed.GetValue(epochsOption), parsed.GetValue(seedOption),
    parsed.GetValue(threadsOption), parsed.GetResult(limitOption) is null ? null : parsed.GetValue(limitOption), parsed.GetValue(saveOption),
    parsed.GetValue(outOption)!));
return SampleCommandLine.Run(root, args);

static int Run(string data, int epochs, int seed, int threads, int? limit, string? save, string outDir)
{
    Dataset train, test;
    try
    {
        (train, test) = FashionMnist.Load(data);
    }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine("Point --data at a folder with the four Fashion-MNIST IDX files.");
        return 1;
    }
    if (limit is int n)
    {
        train = train.Take(n);
    }
    var net = new FashionCnn(seed) { TrainingThreads = threads };
    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {data}");
    Console.WriteLine($"{FashionCnn.Architecture}; {FashionCnn.ParameterCount} parameters; {threads} training thread(s)");
    var options = new TrainingOptions { Epochs = epochs, Seed = seed, TestData = test };
    var result = Trainer.Train(net, train, options, new SynchronousProgress<EpochReport>(r => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  test_loss {r.TestLoss:F4}  test_accuracy {r.TestAccuracy:F4}  seconds {r.Seconds:F1}"))));
    Directory.CreateDirectory(outDir);
    result.WriteCsv(Path.Combine(outDir, "fashion-mnist-cnn.csv"));
    string png = Path.Combine(outDir, "fashion-mnist-cnn.png");
    SamplePlot.EpochCurves(result, string.Create(CultureInfo.InvariantCulture,
        $"Fashion-MNIST, convolutional network ({FashionCnn.ParameterCount:N0} parameters), Adam, seed {seed}"), png);
    Console.WriteLine($"wrote {Path.Combine(outDir, "fashion-mnist-cnn.csv")} and {png}");
    var final = Evaluator.Evaluate(net, test);
    if (save is not null)
    {
        Checkpoint.Save(net, save);
        Console.WriteLine($"saved {save}");
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT test_accuracy={final.Accuracy:F4} train_seconds={result.TotalSeconds:F1}"));
    return 0;
}
