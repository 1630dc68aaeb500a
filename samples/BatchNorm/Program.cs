using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;
using CompiledNet.Samples;

// The batch-norm paper's MNIST experiment on Fashion-MNIST: three hidden layers of 100 sigmoid units, trained with
// plain SGD with and without batch normalisation; test accuracy against training step, and the health monitor's
// saturation share of each sigmoid layer. Then a ReLU network at a sane and at a too-high learning rate, where the
// monitor shows units dying. Writes batchnorm.csv, batchnorm.png, batchnorm-health.csv, batchnorm-saturation.png,
// batchnorm-gradients.png and relu-dead-units.png. Usage: dotnet run -c Release --project samples/BatchNorm -- [--data DIR] [--steps N] [--out DIR]; --help lists the options

var dataOption = SampleCommandLine.Data();
var stepsOption = SampleCommandLine.Int("--steps", "training steps of each run (60 images a step)", "N", defaultValue: 3000);
var outOption = SampleCommandLine.Out("batchnorm.csv, batchnorm-health.csv and four plots");

var command = new RootCommand("A deep sigmoid network with and without batch normalisation, and a ReLU network at a sane and a too-high learning rate, watched by the health monitor.")
{
    dataOption, stepsOption, outOption,
};
command.SetAction(Run);
return SampleCommandLine.Run(command, args);

int Run(ParseResult parse)
{
    string dataDir = parse.GetValue(dataOption)!, outDir = parse.GetValue(outOption)!;
    int steps = parse.GetValue(stepsOption), every = 100;

    Dataset train, test;
    try { (train, test) = FashionMnist.Load(dataDir); }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(ex.Message);
        return 1;
    }
    var testSubset = test.Take(2000); // evaluated every 100 steps: 2,000 test images keep the run short

    var runs = new (string Name, ICompiledNetwork Net)[]
    {
        ("without batch norm", new SigmoidNet(1)), ("with batch norm", new SigmoidBatchNormNet(1)),
        ("ReLU, η = 0.05", new ReluNet(1) { LearningRate = 0.05f }), ("ReLU, η = 2", new ReluNet(1) { LearningRate = 2f }),
    };
    var curves = new Dictionary<string, List<(int Step, double Accuracy)>>();
    var health = new Dictionary<string, List<(int Step, HealthReport Report)>>();
    foreach (var (name, net) in runs)
    {
        var curve = curves[name] = new List<(int, double)>();
        var reports = health[name] = new List<(int, HealthReport)>();
        var monitor = new HealthMonitor(net, new HealthOptions { Every = 10 });   // every 10th step; a report per 100 steps
        int step = 0;
        // Batches by hand (the Trainer works in whole epochs): a fresh seeded shuffle per pass, 60 images a step.
        var order = Enumerable.Range(0, train.Count).ToArray();
        var rng = new Rng(1);
        var inputs = new float[60 * 784];
        var labels = new int[60];
        while (step < steps)
        {
            rng.Shuffle(order.AsSpan());
            for (int start = 0; start + 60 <= order.Length && step < steps; start += 60)
            {
                for (int j = 0; j < 60; j++)
                {
                    train.Features(order[start + j]).CopyTo(inputs.AsSpan(j * 784, 784));
                    labels[j] = train.Label(order[start + j]);
                }
                monitor.BeforeStep();
                net.TrainBatch(inputs, labels);
                monitor.AfterStep(60);
                step++;
                if (step % every == 0)
                {
                    reports.Add((step, monitor.EndWindow(step, "the 100 steps up to step")));
                    double accuracy = Evaluator.Evaluate(net, testSubset).Accuracy;
                    curve.Add((step, accuracy));
                    if (step % 500 == 0)
                    {
                        var layers = reports[^1].Report.Layers.Take(3).ToList();
                        string Percent(double? v) => ((v ?? 0) * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
                        string state = name.StartsWith("ReLU", StringComparison.Ordinal)
                            ? "dead units " + string.Join(" / ", layers.Take(2).Select(l => Percent(l.DeadUnitShare)))
                            : "saturated " + string.Join(" / ", layers.Select(l => Percent(l.SaturatedShare)))
                              + "  ‖∂L/∂W‖ " + string.Join(" / ", layers.Select(l => l.WeightGradientNorm.ToString("G2", CultureInfo.InvariantCulture)));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} step {step,5}: test accuracy {accuracy:F4}  {state}"));
                        foreach (var warning in reports[^1].Report.Warnings) Console.WriteLine($"    warning: {warning}");
                    }
                }
            }
        }
    }

    Directory.CreateDirectory(outDir);
    var sigmoidRuns = new[] { "without batch norm", "with batch norm" };
    using (var csv = new StreamWriter(Path.Combine(outDir, "batchnorm.csv")))
    {
        csv.WriteLine("model,step,test_accuracy");
        foreach (var (name, curve) in curves)
            foreach (var (step, accuracy) in curve)
                csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{step},{accuracy:R}"));
    }
    var plot = new ScottPlot.Plot();
    foreach (var (name, curve) in curves.Where(c => sigmoidRuns.Contains(c.Key)))
    {
        var line = plot.Add.Scatter(curve.Select(c => (double)c.Step).ToArray(), curve.Select(c => c.Accuracy).ToArray());
        line.LegendText = name;
        line.LineWidth = 2;
        line.MarkerSize = 3;
    }
    plot.Title("Fashion-MNIST, 784-100-100-100-10 sigmoid, SGD η = 0.1, batch 60");
    plot.XLabel("training step");
    plot.YLabel("test accuracy (2,000 test images)");
    plot.ShowLegend();
    plot.Legend.Alignment = ScottPlot.Alignment.LowerRight;
    plot.SavePng(Path.Combine(outDir, "batchnorm.png"), 900, 560);

    // The health monitor's view: every run's per-layer statistics per 100 steps, and two plots.
    using (var csv = new StreamWriter(Path.Combine(outDir, "batchnorm-health.csv")))
    {
        csv.WriteLine("model,step,layer,saturated_share,mean_abs_preactivation,dead_unit_share,zero_share,weight_gradient_norm,update_to_weight_ratio,batch_mean_shift,batch_variance_ratio");
        static string N(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        foreach (var (name, reports) in health)
            foreach (var (step, report) in reports)
                foreach (var l in report.Layers)
                    csv.WriteLine($"{name},{step},{l.Layer},{N(l.SaturatedShare)},{N(l.MeanAbsPreActivation)},{N(l.DeadUnitShare)},{N(l.ZeroShare)},{N(l.WeightGradientNorm)},{N(l.UpdateToWeightRatio)},{N(l.BatchMeanShift)},{N(l.BatchVarianceRatio)}");
    }
    void HealthPlot(string file, string title, string yLabel, IEnumerable<string> names, int layers, Func<LayerHealth, double?> value)
    {
        var p = new ScottPlot.Plot();
        foreach (var name in names)
            for (int layer = 1; layer <= layers; layer++)
            {
                var points = health[name];
                var line = p.Add.Scatter(points.Select(r => (double)r.Step).ToArray(), points.Select(r => value(r.Report.Layers[layer - 1]) ?? double.NaN).ToArray());
                line.LegendText = $"{name}, layer {layer}";
                line.LinePattern = name == names.First() ? ScottPlot.LinePattern.Solid : ScottPlot.LinePattern.Dashed;
                line.MarkerSize = 0;
                line.LineWidth = 2;
            }
        p.Title(title);
        p.XLabel("training step");
        p.YLabel(yLabel);
        if (yLabel.StartsWith("share", StringComparison.Ordinal)) p.Axes.SetLimitsY(-0.02, 1.02);
        p.ShowLegend();
        p.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        p.SavePng(Path.Combine(outDir, file), 900, 560);
    }
    HealthPlot("batchnorm-saturation.png", "Saturated sigmoid activations (σ′ < 5% of its maximum), per hidden layer",
        "share of activations saturated", sigmoidRuns, 3, l => l.SaturatedShare);
    HealthPlot("batchnorm-gradients.png", "Gradient flow: log10 ‖∂L/∂W‖ per hidden layer (mean over the sampled steps of 100)",
        "log10 of the weight-gradient norm", sigmoidRuns, 3, l => Math.Log10(l.WeightGradientNorm));
    HealthPlot("relu-dead-units.png", "Dead ReLU units (0 for every sampled example in 100 steps), 784-256-128-10",
        "share of units dead", new[] { "ReLU, η = 0.05", "ReLU, η = 2" }, 2, l => l.DeadUnitShare);
    foreach (var (name, curve) in curves)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} final test accuracy {curve[^1].Accuracy:F4} after {curve[^1].Step} steps"));
    Console.WriteLine($"wrote batchnorm.csv, batchnorm.png, batchnorm-health.csv, batchnorm-saturation.png, batchnorm-gradients.png and relu-dead-units.png to {Path.GetFullPath(outDir)}");
    return 0;
}

#pragma warning disable CNET0020 // the deep sigmoid stack is the point of this sample
[Network(Input = 784, BatchSize = 60)]
[Dense(100, Activation.Sigmoid)]
[Dense(100, Activation.Sigmoid)]
[Dense(100, Activation.Sigmoid)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
partial class SigmoidNet { }

[Network(Input = 784, BatchSize = 60)]
[Dense(100, Activation.Sigmoid, BatchNorm = true)]
[Dense(100, Activation.Sigmoid, BatchNorm = true)]
[Dense(100, Activation.Sigmoid, BatchNorm = true)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
partial class SigmoidBatchNormNet { }

[Network(Input = 784, BatchSize = 60)]
[Dense(256, Activation.ReLU, Init = WeightInit.He)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
partial class ReluNet { }
#pragma warning restore CNET0020
