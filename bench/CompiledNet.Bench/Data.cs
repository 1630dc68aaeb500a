using System;
using System.IO;
using CompiledNet;

namespace CompiledNet.Bench;

/// <summary>Fashion-MNIST, loaded once per process (pixels / 255), shared by every benchmark.</summary>
public static class BenchData
{
    private static (Dataset Train, Dataset Test)? _data;

    /// <summary>Directory of the four IDX files; the environment variable CNET_FASHION_MNIST overrides the Debian default.</summary>
    public static string Directory => Environment.GetEnvironmentVariable("CNET_FASHION_MNIST") ?? FashionMnist.DefaultDirectory;

    /// <summary>Set by <c>--short</c> before anything is loaded: the training set is cut to its first rows (a smoke run).</summary>
    public static int? TrainLimit { get; set; }

    public static Dataset Train => TrainLimit is int n ? (_data ??= Load()).Train.Take(n) : (_data ??= Load()).Train;
    public static Dataset Test => (_data ??= Load()).Test;

    private static (Dataset, Dataset) Load()
    {
        if (!System.IO.Directory.Exists(Directory))
            throw new DirectoryNotFoundException($"Fashion-MNIST not found in {Directory}: install the Debian package dataset-fashion-mnist (bench/run.sh does) or set CNET_FASHION_MNIST.");
        return FashionMnist.Load(Directory);
    }
}
