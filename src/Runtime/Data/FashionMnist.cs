using System;
using System.Collections.Generic;
using System.IO;

namespace CompiledNet
{
    /// <summary>The Fashion-MNIST data set (Zalando, MIT): 60,000 training and 10,000 test images of 28×28 pixels in 10 classes.</summary>
    public static class FashionMnist
    {
        /// <summary>Where Debian's package <c>dataset-fashion-mnist</c> installs the four IDX .gz files.</summary>
        public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

        /// <summary>The class names, by label.</summary>
        public static IReadOnlyList<string> ClassNames { get; } = new[]
        {
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        };

        /// <summary>
        /// Loads the training and test sets from <paramref name="directory"/>, which holds
        /// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
        /// each plain or with a .gz suffix. Pixels are scaled to [0, 1].
        /// </summary>
        public static (Dataset Train, Dataset Test) Load(string directory)
        {
            if (!Directory.Exists(directory))
                throw new DirectoryNotFoundException(
                    $"Fashion-MNIST directory {directory} does not exist. It must hold the four IDX files of Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist); on Debian and Ubuntu, 'apt-get install dataset-fashion-mnist' installs them in {DefaultDirectory}.");
            var train = Dataset.FromIdx(Find(directory, "train-images-idx3-ubyte"), Find(directory, "train-labels-idx1-ubyte"), classCount: 10);
            var test = Dataset.FromIdx(Find(directory, "t10k-images-idx3-ubyte"), Find(directory, "t10k-labels-idx1-ubyte"), classCount: 10);
            return (train, test);
        }

        private static string Find(string directory, string name)
        {
            foreach (var candidate in new[] { name + ".gz", name })
            {
                string path = Path.Combine(directory, candidate);
                if (File.Exists(path)) return path;
            }
            throw new FileNotFoundException(
                $"{directory} has no {name} or {name}.gz. Download the four IDX files of Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist) into it; on Debian and Ubuntu, 'apt-get install dataset-fashion-mnist' installs them in {DefaultDirectory}.",
                Path.Combine(directory, name + ".gz"));
        }
    }
}
