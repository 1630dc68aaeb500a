using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using CompiledNet;
using CompiledNet.Samples;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve;

// samples/Serve: a Fashion-MNIST classifier (the dense FashionNet or the convolutional FashionCnn) as a web service (ASP.NET Core minimal API, Native AOT), plus the
// command-line classifier and a load test. `Serve --help` and `Serve COMMAND --help` list the options.
//   Serve [serve] [--checkpoint FILE] [--url http://127.0.0.1:5000] [--data DIR] [--Serve:Setting=value …]   the service (docs/serving.md)
//   Serve classify …                                                              the command-line classifier (Classifier.cs)
//   Serve load-test (--url URL | --serve CHECKPOINT [--port N]) [--clients N] [--requests N] [--seconds S] [--warmup N] [--data DIR]
const string ServeDescription = "Serves the network over HTTP (the default command). Any ASP.NET Core or service setting may follow as --Serve:Name=value (docs/serving.md).";
var serve = new Command("serve", ServeDescription) { TreatUnmatchedTokensAsErrors = false };
var root = new RootCommand("A Fashion-MNIST classifier as a web service, a command-line classifier and a load test.")
{
    serve, Classifier.CreateCommand(), LoadTest.CreateCommand(),
};
root.TreatUnmatchedTokensAsErrors = false;
// The service's own options, declared on `serve` and on the root (where `Serve --url …` means `Serve serve --url …`) so
// that a missing value is refused here and --help lists them; the settings themselves are read by FashionService.Build.
foreach (var command in new Command[] { serve, root })
{
    command.Options.Add(SampleCommandLine.Text("--checkpoint", "the trained network, FashionNet or FashionCnn (the file says which); without it a quick 2-epoch FashionNet is trained first", "FILE"));
    command.Options.Add(new Option<string[]>("--url") { Description = "address to listen on (default http://127.0.0.1:5000); may be given more than once", HelpName = "URL", Arity = ArgumentArity.OneOrMore });
    command.Options.Add(SampleCommandLine.Text("--data", "Fashion-MNIST folder for the quick network", "DIR"));
}
serve.SetAction((_, _) => ServeMain(args[1..]));
root.SetAction((_, _) =>
{
    if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"Unknown command '{args[0]}': serve, classify or load-test (--help lists them).");
        return Task.FromResult(SampleCommandLine.UsageError);
    }
    return ServeMain(args);
});
return await SampleCommandLine.RunAsync(root, args);

static async Task<int> ServeMain(string[] args)
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    Microsoft.AspNetCore.Builder.WebApplication app;
    ServeOptions options;
    try
    {
        app = FashionService.Build(args);
        options = app.Services.GetRequiredService<IOptions<ServeOptions>>().Value;   // validated here: a bad setting stops the start
    }
    catch (ArgumentException ex)   // an unknown option
    {
        Console.Error.WriteLine(ex.Message);
        return SampleCommandLine.UsageError;
    }
    catch (OptionsValidationException ex)
    {
        Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Failures));
        return SampleCommandLine.UsageError;
    }
    catch (InvalidOperationException ex)   // a setting that does not bind (unknown key, not a number)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
    if (options.Checkpoint is null)
    {
        string data = options.Data ?? FashionMnist.DefaultDirectory;
        Console.WriteLine($"no --checkpoint given: training a quick network on {data} (2 epochs) …");
        try
        {
            var net = new FashionNet(1);
            var (train, test) = FashionMnist.Load(data);
            Trainer.Train(net, train, new TrainingOptions { Epochs = 2, Seed = 1 });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained: test accuracy {Evaluator.Evaluate(net, test).Accuracy:F4}"));
            app.Services.GetRequiredService<ModelStore>().Use(net);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{ex.Message}\nGive --checkpoint FILE (samples/FashionMnist or samples/FashionMnistCnn --save FILE writes one) or install dataset-fashion-mnist.");
            return 1;
        }
    }
    try
    {
        await app.StartAsync();
    }
    catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or FormatException or UriFormatException)
    {
        Console.Error.WriteLine($"Cannot start: {ex.Message}");
        return 1;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"listening on {string.Join(", ", app.Urls)} ({started.Elapsed.TotalMilliseconds:F0} ms after start-up began); Ctrl+C stops"));
    await app.WaitForShutdownAsync();
    return 0;
}
