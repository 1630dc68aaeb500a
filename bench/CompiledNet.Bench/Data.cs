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

    public static Dataset Train => (_data ??= Load()).Train;
    public static Dataset Test => (_data ??= Load()).Test;

    private static (Dataset, Dataset) Load()
    {
        if (!System.IO.Directory.Exists(Directory))
            throw new DirectoryNotFoundException($"Fashion-MNIST not found in {Directory}: install the Debian package dataset-fashion-mnist (bench/run.sh does) or set CNET_FASHION_MNIST.");
        return FashionMnist.Load(Directory);
    }
}
