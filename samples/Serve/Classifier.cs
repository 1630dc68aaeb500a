using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CompiledNet;
using CompiledNet.Samples;
using SkiaSharp;

namespace Serve;

/// <summary>
/// The command-line classifier (the Native AOT demonstration): classifies IDX images or PNG/JPEG files (scaled to
/// 28×28 exactly as the service does) with a trained checkpoint of either network (<see cref="ServedNetwork"/>), and
/// writes IDX images as PNGs.
///   Serve classify --checkpoint C --idx IMAGES [--labels LABELS] [--count N]   classify IDX images (accuracy if labels given)
///   Serve classify --checkpoint C FILE.png ...                                  classify PNG or JPEG files
///   Serve classify --export-png DIR --idx IMAGES [--count N]                    write IDX images as PNGs
///   Serve classify --checkpoint C --idx IMAGES --count N --print-probabilities  also each image's ten probabilities
/// </summary>
internal static class Classifier
{
    /// <summary>The <c>classify</c> command.</summary>
    public static Command CreateCommand()
    {
        var checkpoint = SampleCommandLine.Text("--checkpoint", "the trained network (samples/FashionMnist or samples/FashionMnistCnn --save FILE writes one)", "FILE");
        var idx = SampleCommandLine.Text("--idx", "an IDX file of 28×28 images to classify (or to export with --export-png)", "IMAGES");
        var labels = SampleCommandLine.Text("--labels", "the IDX labels of --idx: prints the accuracy", "LABELS");
        var count = SampleCommandLine.Int("--count", "how many of the --idx images", "N", defaultValue: 10);
        var exportPng = SampleCommandLine.Text("--export-png", "write the first --count images of --idx as PNG files to this folder instead", "DIR");
        var printProbabilities = new Option<bool>("--print-probabilities")
        {
            Description = "with --idx, print each image's ten probabilities, written so that they read back to the same float (to compare builds bit for bit)",
        };
        var files = new Argument<string[]>("files") { Description = "PNG or JPEG files to classify (scaled to 28×28 grey as the service does)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("classify", "Classifies IDX images or PNG/JPEG files with a trained checkpoint, or writes IDX images as PNGs.")
        {
            checkpoint, idx, labels, count, exportPng, printProbabilities, files,
        };
        command.SetAction(parse => Run(parse.GetValue(checkpoint), parse.GetValue(idx), parse.GetValue(labels), parse.GetValue(count),
            parse.GetValue(exportPng), parse.GetValue(printProbabilities), parse.GetValue(files) ?? Array.Empty<string>()));
        return command;
    }

    private static int Run(string? checkpoint, string? idx, string? labels, int count, string? exportDir, bool printProbabilities, string[] pngs)
    {
        long startTicks = Stopwatch.GetTimestamp();
        TimeSpan sinceProcessStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        try
        {
            if (exportDir is not null)
            {
                if (idx is null) { Console.Error.WriteLine("--export-png needs --idx IMAGES."); return 2; }
                var images = IdxFile.Read(idx);
                int h = images.Dimensions[1], w = images.Dimensions[2];
                Directory.CreateDirectory(exportDir);
                for (int k = 0; k < Math.Min(count, images.Dimensions[0]); k++)
                {
                    string path = Path.Combine(exportDir, $"image{k}.png");
                    using (var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque)))
                    {
                        for (int r = 0; r < h; r++)
                            images.Bytes.AsSpan(k * w * h + r * w, w).CopyTo(bitmap.GetPixelSpan().Slice(r * bitmap.RowBytes, w));
                        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                        File.WriteAllBytes(path, encoded.ToArray());
                    }
                    Console.WriteLine($"wrote {path}");
                }
                return 0;
            }
            if (checkpoint is null) { Console.Error.WriteLine("Give --checkpoint FILE (saved by samples/FashionMnist or samples/FashionMnistCnn --save)."); return 2; }

            var net = ServedNetwork.Load(checkpoint);   // FashionNet or FashionCnn, as the file says
            Console.WriteLine($"{checkpoint}: {ServedNetwork.Of(net)!.Name}, {net.Architecture}");
            bool first = true;
            void Report(string name, ReadOnlySpan<float> pixels, int? label)
            {
                int predicted = net.Classify(pixels);
                if (first)
                {
                    first = false;
                    double ms = (sinceProcessStart + Stopwatch.GetElapsedTime(startTicks)).TotalMilliseconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first prediction {ms:F1} ms after the process started"));
                }
                Console.WriteLine($"{name}: {FashionMnist.ClassNames[predicted]}" + (label is int l ? (l == predicted ? " (correct)" : $" (label: {FashionMnist.ClassNames[l]})") : ""));
            }

            if (idx is not null)
            {
                var images = IdxFile.Read(idx).ToSingle(1f / 255);
                int[]? truth = labels is null ? null : IdxFile.Read(labels).ToInt32();
                int n = Math.Min(count, images.Length / ServedNetwork.InputSize), correct = 0;
                var probabilities = new float[ServedNetwork.Classes];
                for (int k = 0; k < n; k++)
                {
                    var x = images.AsSpan(k * ServedNetwork.InputSize, ServedNetwork.InputSize);
                    if (k < 10) Report($"image {k}", x, truth?[k]);
                    if (truth is not null && net.Classify(x) == truth[k]) correct++;
                    if (printProbabilities)
                    {
                        // "R": the shortest text that parses back to the same float, so equal lines mean equal bits.
                        net.Predict(x, probabilities);
                        Console.WriteLine($"probabilities {k}: " + string.Join(' ', Array.ConvertAll(probabilities, p => p.ToString("R", CultureInfo.InvariantCulture))));
                    }
                }
                if (truth is not null)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy on {n} images: {(double)correct / n:F4}"));
            }
            foreach (var path in pngs)
            {
                var pixels = new float[ServedNetwork.InputSize];
                if (FashionService.DecodeImage(File.ReadAllBytes(path), pixels) is string error)
                    throw new InvalidDataException($"{path}: {error}");
                Report(path, pixels, null);
            }
            return 0;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
