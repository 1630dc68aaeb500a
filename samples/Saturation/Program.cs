using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using CompiledNet;
using CompiledNet.Samples;

// The classic saturation demonstration (Nielsen, "Neural Networks and Deep Learning", ch. 3): one sigmoid unit, input x = 1, target y = 0, starting at w = b = 2
// (output σ(4) ≈ 0.98, confidently wrong), trained with quadratic loss and with log-loss at the same learning rate.
// Writes saturation.csv and saturation.png. Usage: dotnet run -c Release --project samples/Saturation -- [--epochs N] [--rate η] [--out DIR]; --help lists the options

var epochsOption = SampleCommandLine.Int("--epochs", "training epochs of each unit", "N", defaultValue: 300);
var rateOption = SampleCommandLine.Float("--rate", "learning rate η of both units", "η", defaultValue: 0.15f, min: 1e-6f, max: 100f);
var outOption = SampleCommandLine.Out("saturation.csv and saturation.png");

var command = new RootCommand("One sigmoid unit trained with quadratic loss and with log-loss from a confidently wrong start: the plateau of the first against the fall of the second.")
{
    epochsOption, rateOption, outOption,
};
command.SetAction(Run);
return SampleCommandLine.Run(command, args);

int Run(ParseResult parse)
{
    int epochs = parse.GetValue(epochsOption);
    float rate = parse.GetValue(rateOption);
    string outDir = parse.GetValue(outOption)!;

    var quadratic = new QuadraticUnit { LearningRate = rate };
    var logLoss = new LogLossUnit { LearningRate = rate };
    // The health monitor on both: every step sampled, one report per 50 epochs (the gradient the unit actually gets).
    var quadraticHealth = new HealthMonitor(quadratic, new HealthOptions { Every = 1 });
    var logLossHealth = new HealthMonitor(logLoss, new HealthOptions { Every = 1 });
    foreach (var net in new ITrainable[] { quadratic, logLoss })
    {
        net.Parameters[0] = 2f; // w
        net.Parameters[1] = 2f; // b
    }
    float[] x = { 1f }, y = { 0f };

    double sigma = 1 / (1 + Math.Exp(-4));
    quadratic.ComputeGradients(x, y);
    logLoss.ComputeGradients(x, y);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start: w = b = 2, output σ(4) = {sigma:F4}, target 0, η = {rate}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"initial ∂L/∂w, quadratic (a − y)²: {quadratic.Gradients[0]:F5}   (2σ²(1 − σ) = {2 * sigma * sigma * (1 - sigma):F5})"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"initial ∂L/∂w, log-loss:           {logLoss.Gradients[0]:F5}   (σ = {sigma:F5})"));

    Directory.CreateDirectory(outDir);
    var epochAxis = new double[epochs + 1];
    var quadraticLoss = new double[epochs + 1];
    var logLossLoss = new double[epochs + 1];
    var outputs = new float[1];
    using (var csv = new StreamWriter(Path.Combine(outDir, "saturation.csv")))
    {
        csv.WriteLine("epoch,quadratic_loss,quadratic_output,logloss_loss,logloss_output,quadratic_gradient_norm,logloss_gradient_norm");
        for (int epoch = 0; epoch <= epochs; epoch++)
        {
            epochAxis[epoch] = epoch;
            quadraticLoss[epoch] = quadratic.Loss(x, y);
            logLossLoss[epoch] = logLoss.Loss(x, y);
            quadratic.Predict(x, outputs);
            float qa = outputs[0];
            logLoss.Predict(x, outputs);
            float la = outputs[0];
            if (epoch < epochs)
            {
                quadraticHealth.BeforeStep();
                quadratic.TrainBatch(x, y);
                quadraticHealth.AfterStep(1);
                logLossHealth.BeforeStep();
                logLoss.TrainBatch(x, y);
                logLossHealth.AfterStep(1);
            }
            // ‖∂L/∂W‖ of this epoch's step, as the monitor reports it (a one-step window).
            double qg = quadraticHealth.EndWindow(epoch).Layers[0].WeightGradientNorm;
            double lg = logLossHealth.EndWindow(epoch).Layers[0].WeightGradientNorm;
            csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{epoch},{quadraticLoss[epoch]:R},{qa:R},{logLossLoss[epoch]:R},{la:R},{qg:R},{lg:R}"));
            static string G(double g) => double.IsNaN(g) ? "no step" : "‖∂L/∂w‖ " + g.ToString("F4", CultureInfo.InvariantCulture);
            if (epoch % 50 == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch,3}: quadratic loss {quadraticLoss[epoch]:F4} (output {qa:F3}, {G(qg)})   log-loss {logLossLoss[epoch]:F4} (output {la:F3}, {G(lg)})"));
        }
    }

    var plot = new ScottPlot.Plot();
    var q = plot.Add.Scatter(epochAxis, quadraticLoss);
    q.LegendText = "quadratic loss (a − y)²";
    q.MarkerSize = 0;
    q.LineWidth = 2;
    var l = plot.Add.Scatter(epochAxis, logLossLoss);
    l.LegendText = "log-loss −ln(1 − a)";
    l.MarkerSize = 0;
    l.LineWidth = 2;
    plot.Title($"One sigmoid unit, x = 1, y = 0, w = b = 2, η = {rate.ToString(CultureInfo.InvariantCulture)}");
    plot.XLabel("epoch");
    plot.YLabel("loss");
    plot.ShowLegend();
    plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
    plot.SavePng(Path.Combine(outDir, "saturation.png"), 900, 560);
    Console.WriteLine($"wrote {Path.Combine(outDir, "saturation.csv")} and {Path.Combine(outDir, "saturation.png")}");
    return 0;
}

// Deliberately the combination CNET0019 warns about: this sample shows why.
#pragma warning disable CNET0019
[Network(Input = 1, BatchSize = 1)]
[Dense(1, Activation.Sigmoid)]
[Loss(LossKind.Quadratic)]
partial class QuadraticUnit { }
#pragma warning restore CNET0019

[Network(Input = 1, BatchSize = 1)]
[Dense(1, Activation.Sigmoid)]
[Loss(LossKind.LogLoss)]
partial class LogLossUnit { }
