using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using CompiledNet;
using CompiledNet.CompilerServices;
using FashionMnistCnn;

// Trains FashionCnn (FashionCnn.cs) on Fashion-MNIST and reports the test accuracy after each epoch.
// Usage: dotnet run -c Release --project samples/FashionMnistCnn -- [options]; --help lists them.

var dataOption = new Option<string>("--data")
{
    Description = "Folder with the four Fashion-MNIST IDX files (.gz or not)",
    DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
};
var epochsOption = new Option<int>("--epochs")
{
    Description = "Passes over the 60,000 training images",
    DefaultValueFactory = _ => 10,
};
var seedOption = new Option<int>("--seed")
{
    Description = "Seed of the initial weights and of the shuffling",
    DefaultValueFactory = _ => 1,
};
var threadsOption = new Option<int>("--threads")
{
    Description = "Threads of a training step (default: the machine's logical processors)",
    DefaultValueFactory = _ => Environment.ProcessorCount,
};
var limitOption = new Option<int?>("--train-limit")
{
    Description = "Train on the first N training images only (for a quick run)",
};
var saveOption = new Option<string?>("--save")
{
    Description = "Write a checkpoint of the trained network to this file",
};
var root = new RootCommand("Trains a small convolutional network (2 × [3×3 conv, 2×2 max pool], 128 ReLU with dropout, 10 softmax; Adam) on Fashion-MNIST.")
{
    dataOption, epochsOption, seedOption, threadsOption, limitOption, saveOption,
};
root.SetAction(parsed => Run(parsed.GetValue(dataOption)!, parsed.GetValue(epochsOption), parsed.GetValue(seedOption),
    parsed.GetValue(threadsOption), parsed.GetValue(limitOption), parsed.GetValue(saveOption)));
return root.Parse(args).Invoke();

static int Run(string data, int epochs, int seed, int threads, int? limit, string? save)
{
    if (epochs < 1) { Console.Error.WriteLine($"--epochs must be at least 1, not {epochs}."); return 2; }
    if (threads < 1 || threads > WorkerPool.MaxThreads) { Console.Error.WriteLine($"--threads must be between 1 and {WorkerPool.MaxThreads}, not {threads}."); return 2; }
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
        if (n < 1 || n > train.Count) { Console.Error.WriteLine($"--train-limit must be between 1 and {train.Count}, not {n}."); return 2; }
        train = train.Take(n);
    }
    var net = new FashionCnn(seed) { TrainingThreads = threads };
    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {data}");
    Console.WriteLine($"{FashionCnn.Architecture}; {FashionCnn.ParameterCount} parameters; {threads} training thread(s)");
    var options = new TrainingOptions { Epochs = epochs, Seed = seed, TestData = test };
    var result = Trainer.Train(net, train, options, new SynchronousProgress<EpochReport>(r => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  test_loss {r.TestLoss:F4}  test_accuracy {r.TestAccuracy:F4}  seconds {r.Seconds:F1}"))));
    var final = Evaluator.Evaluate(net, test);
    if (save is not null)
    {
        Checkpoint.Save(net, save);
        Console.WriteLine($"saved {save}");
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT test_accuracy={final.Accuracy:F4} train_seconds={result.TotalSeconds:F1}"));
    return 0;
}
