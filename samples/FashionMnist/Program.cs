using System;
using System.Globalization;
using System.IO;
using CompiledNet;

// Trains a 784-256-128-10 ReLU network on Fashion-MNIST with mini-batch SGD and reports test accuracy per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnist -- [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT]
// The network (FashionNet) is declared in samples/Shared/FashionNet.cs, shared with samples/Serve.

string dataDir = FashionMnist.DefaultDirectory;
int epochs = 10;
int seed = 1;
string? savePath = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--data": dataDir = Value(); break;
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--save": savePath = Value(); break;
        case "--help" or "-h":
            Console.WriteLine("Usage: FashionMnist [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: FashionMnist [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT]");
            return 2;
    }
}

Dataset train, test;
try
{
    (train, test) = FashionMnist.Load(dataDir);
}
catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("Point --data at a folder with the four Fashion-MNIST IDX files, or run samples/FashionMnist/run.sh, which installs Debian's dataset-fashion-mnist package.");
    return 1;
}

Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {dataDir}");
Console.WriteLine($"Network 784-256-128-10 ReLU, softmax cross-entropy, SGD η = {new FashionNet().LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {FashionNet.BatchSize}, {FashionNet.ParameterCount} parameters, seed {seed}");

var net = new FashionNet(seed);
var options = new TrainingOptions { Epochs = epochs, Seed = seed, Evaluation = test };
var result = Trainer.Train(net, train, options, Progress.Sync<EpochReport>(r =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  test_loss {r.TestLoss:F4}  test_accuracy {r.TestAccuracy:F4}  seconds {r.Seconds:F2}"))));

var final = Evaluator.Evaluate(net, test);
if (savePath is not null)
{
    Checkpoint.Save(net, savePath, epochs);
    Console.WriteLine($"saved {savePath}");
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT test_accuracy={final.Accuracy:F4} train_seconds={result.TotalSeconds:F1}"));
return 0;
