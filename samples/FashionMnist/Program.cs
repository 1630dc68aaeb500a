using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CompiledNet;
using CompiledNet.Samples;

// Trains a network on Fashion-MNIST and reports test accuracy per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnist -- [options]; --help lists them (README.md beside this file).
// The default network (FashionNet, 784-256-128-10 ReLU, SGD) is declared in samples/Shared/FashionNet.cs, shared with
// samples/Serve; `--recipe best` trains RecipeNet (RecipeNet.cs) with augmentation and a decaying learning rate.

var data = SampleCommandLine.Data();
var epochsOption = SampleCommandLine.Int("--epochs", "training epochs (default 10; 30 with --recipe best)", "N", defaultValue: null);
var seedOption = SampleCommandLine.Int("--seed", "seed of the initial weights, the shuffles and the augmentation", "S", defaultValue: 1, min: int.MinValue);
var saveOption = SampleCommandLine.Text("--save", "write a checkpoint of the trained network to this file", "CHECKPOINT");
var outOption = SampleCommandLine.Out("fashion-mnist.csv and fashion-mnist.png");
var augmentOption = new Option<bool>("--augment") { Description = "shift (up to --shift pixels, default 2) and rotate (up to --rotate degrees, default 10) each training image as its batch is assembled" };
var shiftOption = SampleCommandLine.Int("--shift", "largest shift in pixels (implies --augment)", "K", defaultValue: null, min: 0);
var rotateOption = SampleCommandLine.Float("--rotate", "largest rotation in degrees (implies --augment)", "DEGREES", defaultValue: null, min: 0, max: 180);
var probabilityOption = SampleCommandLine.Float("--augment-probability", "chance that an image is shifted, and independently rotated (default 1; 0.5 in the recipe; implies --augment)", "P", defaultValue: null, min: 0, max: 1);
var balancedOption = new Option<string>("--balanced")
{
    Description = "class-balanced batches; the policy for unequal classes (default oversample)",
    HelpName = "oversample|undersample|equal",
    Arity = ArgumentArity.ZeroOrOne,
};
balancedOption.AcceptOnlyFromAmong("oversample", "undersample", "equal");
var curriculumOption = SampleCommandLine.Int("--curriculum", "easy-to-hard batches by each example's loss under the current network, in STAGES stages (default 4), one more stage each epoch", "STAGES", defaultValue: null, whenGivenAlone: 4);
var recipeOption = new Option<string>("--recipe")
{
    Description = "'best': RecipeNet (784-512-256-10, batch norm, dropout 0.2, Adam, η·0.93^epoch) with mild augmentation (shifts up to 1 px, rotations up to 8°, each with probability 0.5), 30 epochs unless --epochs is given",
    HelpName = "best",
};
recipeOption.AcceptOnlyFromAmong("best");
var measureOption = new Option<bool>("--measure-augmentation") { Description = "measure images per second of augmentation and of batch assembly on one thread, then exit" };

var command = new RootCommand("Trains a network on Fashion-MNIST and reports test accuracy per epoch; ends with a RESULT line.")
{
    data, epochsOption, seedOption, saveOption, outOption, augmentOption, shiftOption, rotateOption, probabilityOption,
    balancedOption, curriculumOption, recipeOption, measureOption,
};
command.SetAction(Run);
return SampleCommandLine.Run(command, args);

int Run(ParseResult parse)
{
    string dataDir = parse.GetValue(data)!;
    int? epochsArgument = parse.GetResult(epochsOption) is null ? null : parse.GetValue(epochsOption);
    int seed = parse.GetValue(seedOption);
    string? savePath = parse.GetValue(saveOption);
    string outDir = parse.GetValue(outOption)!;
    int? maxShift = parse.GetResult(shiftOption) is null ? null : parse.GetValue(shiftOption);
    float? maxRotation = parse.GetResult(rotateOption) is null ? null : parse.GetValue(rotateOption);
    float? augmentProbability = parse.GetResult(probabilityOption) is null ? null : parse.GetValue(probabilityOption);
    bool augment = parse.GetValue(augmentOption) || maxShift is not null || maxRotation is not null || augmentProbability is not null;
    bool measure = parse.GetValue(measureOption);
    ClassBalancePolicy? balance = parse.GetResult(balancedOption) is null ? null : parse.GetValue(balancedOption) switch
    {
        "undersample" => ClassBalancePolicy.Undersample,
        "equal" => ClassBalancePolicy.EqualShare,
        _ => ClassBalancePolicy.Oversample,
    };
    int curriculumStages = parse.GetResult(curriculumOption) is null ? 0 : parse.GetValue(curriculumOption);
    string? recipe = parse.GetValue(recipeOption);
    if (balance is not null && curriculumStages > 0)
    {
        Console.Error.WriteLine("--balanced and --curriculum are two batching strategies; choose one.");
        return SampleCommandLine.UsageError;
    }

    Dataset train, test;
    try
    {
        (train, test) = FashionMnist.Load(dataDir);
    }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine("Point --data at a folder with the four Fashion-MNIST IDX files (docs/getting-started.md says where to get them), or run samples/FashionMnist/run.sh on Debian or Ubuntu, which installs them.");
        return 1;
    }

    if (measure) return AugmentationBenchmark.Run(train, maxShift ?? 2, maxRotation ?? 10);

    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {dataDir}");

    ImageAugmentation? augmentation = augment || recipe == "best"
        ? new ImageAugmentation
        {
            MaxShift = maxShift ?? (recipe == "best" ? 1 : 2),
            MaxRotationDegrees = maxRotation ?? (recipe == "best" ? 8f : 10f),
            ShiftProbability = augmentProbability ?? (recipe == "best" ? 0.5f : 1f),
            RotationProbability = augmentProbability ?? (recipe == "best" ? 0.5f : 1f),
        }
        : null;
    try { augmentation?.Validate(); }
    catch (ArgumentException ex) { Console.Error.WriteLine(ex.Message); return SampleCommandLine.UsageError; }
    BatchingStrategy batching = balance is ClassBalancePolicy policy ? BatchingStrategy.ClassBalanced(policy)
        : curriculumStages > 0 ? BatchingStrategy.CurriculumByLoss(curriculumStages)
        : BatchingStrategy.Shuffle;
    int epochs = epochsArgument ?? (recipe == "best" ? 30 : 10);
    var options = new TrainingOptions { Epochs = epochs, Seed = seed, TestData = test, Batching = batching, Augmentation = augmentation };
    string pipeline = $"batches: {batching.Name}; augmentation: " + (augmentation is null ? "none" : string.Create(CultureInfo.InvariantCulture,
        $"shifts up to {augmentation.MaxShift} px (p = {augmentation.ShiftProbability}), rotations up to {augmentation.MaxRotationDegrees}° (p = {augmentation.RotationProbability}), bilinear, border 0"));

    var wall = Stopwatch.StartNew();
    return recipe == "best"
        ? Train(new RecipeNet(seed), $"Recipe: {RecipeNet.Architecture} (RecipeNet.cs); {RecipeNet.ParameterCount} parameters, seed {seed}", "Fashion-MNIST recipe: 784-512-256-10, BN, dropout, Adam, augmentation")
        : Train(new FashionNet(seed), $"Network 784-256-128-10 ReLU, softmax cross-entropy, SGD η = {new FashionNet().LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {FashionNet.BatchSize}, {FashionNet.ParameterCount} parameters, seed {seed}", "Fashion-MNIST, 784-256-128-10 ReLU, SGD");

    int Train<TNet>(TNet net, string description, string title) where TNet : ICompiledNetwork
    {
        Console.WriteLine(description);
        Console.WriteLine(pipeline);
        string Line(EpochReport r) => string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  test_loss {r.TestLoss:F4}  test_accuracy {r.TestAccuracy:F4}  seconds {r.Seconds:F2}");

        // A live progress bar in a terminal; plain per-epoch lines when the output is redirected or in CI (where
        // Spectre.Console's progress display prints nothing at all).
        bool interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") != "true";
        TrainingResult result;
        if (interactive)
        {
            result = null!;
            Spectre.Console.AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: epochs);
                result = Trainer.Train(net, train, options, new SynchronousProgress<EpochReport>(r =>
                {
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {r.Epoch}/{r.Epochs}: test accuracy {r.TestAccuracy:F4}");
                    task.Increment(1);
                }));
            });
            foreach (var r in result.Epochs) Console.WriteLine(Line(r));
        }
        else
            result = Trainer.Train(net, train, options, new SynchronousProgress<EpochReport>(r => Console.WriteLine(Line(r))));

        Directory.CreateDirectory(outDir);
        result.WriteCsv(Path.Combine(outDir, "fashion-mnist.csv"));
        SamplePlot.EpochCurves(result, title, Path.Combine(outDir, "fashion-mnist.png"));

        var final = Evaluator.Evaluate(net, test);
        if (savePath is not null)
        {
            Checkpoint.Save(net, savePath);
            Console.WriteLine($"saved {savePath}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT test_accuracy={final.Accuracy:F4} train_seconds={result.TotalSeconds:F1} wall_seconds={wall.Elapsed.TotalSeconds:F1}"));
        return 0;
    }
}
