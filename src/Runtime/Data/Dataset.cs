using System;
using System.IO;

using CompiledNet.CompilerServices;

namespace CompiledNet
{
    /// <summary>
    /// An in-memory labelled data set: <see cref="Count"/> examples of <see cref="FeatureSize"/> floats, row after
    /// row in one array, and one class label each. Immutable once built; training never changes it.
    /// </summary>
    public sealed partial class Dataset
    {
        private readonly float[] _features;
        private readonly int[] _labels;

        /// <summary>
        /// Wraps <paramref name="features"/> (labels.Length rows of <paramref name="featureSize"/>, all finite) and
        /// <paramref name="labels"/> in [0, <paramref name="classCount"/>); no copy. A NaN or infinite feature throws
        /// <see cref="ArgumentException"/> naming the example and feature.
        /// </summary>
        public Dataset(float[] features, int featureSize, int[] labels, int classCount)
        {
            ArgumentNullException.ThrowIfNull(features);
            ArgumentNullException.ThrowIfNull(labels);
            if (featureSize <= 0) throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, "The feature size must be positive.");
            if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The class count must be positive.");
            if ((long)labels.Length * featureSize != features.Length)
                throw new ArgumentException(
                    $"features has {features.Length} values; expected {(long)labels.Length * featureSize} ({labels.Length} labels × {featureSize} features).", nameof(features));
            for (int i = 0; i < labels.Length; i++)
                if ((uint)labels[i] >= (uint)classCount)
                    throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"labels[{i}] is {labels[i]}; expected a class in [0, {classCount}).");
            int bad = Kernels.FirstNonFinite(features);
            if (bad >= 0)
                throw new ArgumentException(
                    $"features[{bad}] (example {bad / featureSize}, feature {bad % featureSize}) is {features[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                    "a data set holds finite values only (a NaN or infinite input would turn the parameters it trains into NaN).", nameof(features));
            _features = features;
            _labels = labels;
            FeatureSize = featureSize;
            ClassCount = classCount;
        }

        private Dataset(Dataset source, int height, int width)
        {
            _features = source._features;
            _labels = source._labels;
            FeatureSize = source.FeatureSize;
            ClassCount = source.ClassCount;
            ImageHeight = height;
            ImageWidth = width;
        }

        /// <summary>
        /// The same examples (no copy) described as images of <paramref name="height"/> × <paramref name="width"/>
        /// pixels, row-major; image augmentation (<see cref="ImageAugmentation"/>) reads the size from here.
        /// </summary>
        public Dataset WithImageSize(int height, int width)
        {
            if (height <= 0 || width <= 0 || (long)height * width != FeatureSize)
                throw new ArgumentException(
                    $"An image of {height} × {width} pixels has {(long)height * width} values, but the examples have {FeatureSize} features.", nameof(height));
            return new Dataset(this, height, width);
        }

        /// <summary>Rows of each example as an image (set by <see cref="FromIdx"/> for N×H×W files, or by <see cref="WithImageSize"/>); 0 when unknown.</summary>
        public int ImageHeight { get; }

        /// <summary>Columns of each example as an image; 0 when unknown.</summary>
        public int ImageWidth { get; }

        private Dataset Described(Dataset copy) => ImageHeight > 0 ? new Dataset(copy, ImageHeight, ImageWidth) : copy;

        /// <summary>Number of examples.</summary>
        public int Count => _labels.Length;

        /// <summary>Number of features per example.</summary>
        public int FeatureSize { get; }

        /// <summary>Number of classes: labels lie in [0, ClassCount).</summary>
        public int ClassCount { get; }

        /// <summary>The features of example <paramref name="index"/>.</summary>
        public ReadOnlySpan<float> Features(int index) => new ReadOnlySpan<float>(_features, checked(index * FeatureSize), FeatureSize);

        /// <summary>The label of example <paramref name="index"/>.</summary>
        public int Label(int index) => _labels[index];

        /// <summary>All features, row after row.</summary>
        public ReadOnlySpan<float> AllFeatures => _features;

        /// <summary>All labels.</summary>
        public ReadOnlySpan<int> Labels => _labels;

        /// <summary>A copy of examples [start, start + count).</summary>
        public Dataset Slice(int start, int count)
        {
            if (start < 0 || count < 0 || start + count > Count)
                throw new ArgumentOutOfRangeException(nameof(count), $"[{start}, {start + count}) is not inside the {Count} examples.");
            return Described(new Dataset(_features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray(), FeatureSize,
                _labels.AsSpan(start, count).ToArray(), ClassCount));
        }

        /// <summary>
        /// A stratified split: each class contributes the same share (rounded) to the validation set, chosen at random
        /// with the given seed; both parts keep the original order of their examples.
        /// </summary>
        public (Dataset Train, Dataset Validation) StratifiedSplit(double validationShare, long seed)
        {
            if (!(validationShare > 0 && validationShare < 1))
                throw new ArgumentOutOfRangeException(nameof(validationShare), validationShare, "The validation share must be in (0, 1).");
            var rng = new Rng(seed);
            var inValidation = new bool[Count];
            for (int c = 0; c < ClassCount; c++)
            {
                var members = new System.Collections.Generic.List<int>();
                for (int i = 0; i < Count; i++) if (_labels[i] == c) members.Add(i);
                var order = members.ToArray();
                rng.Shuffle(order.AsSpan());
                int take = (int)Math.Round(order.Length * validationShare);
                for (int k = 0; k < take; k++) inValidation[order[k]] = true;
            }
            return (Subset(inValidation, false), Subset(inValidation, true));
        }

        private Dataset Subset(bool[] mask, bool keep)
        {
            int n = 0;
            foreach (bool m in mask) if (m == keep) n++;
            var features = new float[n * FeatureSize];
            var labels = new int[n];
            for (int i = 0, k = 0; i < Count; i++)
            {
                if (mask[i] != keep) continue;
                Features(i).CopyTo(features.AsSpan(k * FeatureSize, FeatureSize));
                labels[k++] = _labels[i];
            }
            return Described(new Dataset(features, FeatureSize, labels, ClassCount));
        }

        /// <summary>The first <paramref name="count"/> examples (all of them if there are fewer).</summary>
        public Dataset Take(int count) => Slice(0, Math.Min(count, Count));

        /// <summary>
        /// Loads images and labels from two IDX files (plain or gzip): images N×H×W (or N×F) of bytes scaled by
        /// <paramref name="scale"/>, labels N. The class count is the largest label + 1 unless given.
        /// </summary>
        public static Dataset FromIdx(string imagesPath, string labelsPath, float scale = 1f / 255, int? classCount = null)
        {
            var images = IdxFile.Read(imagesPath);
            var labels = IdxFile.Read(labelsPath);
            if (images.Dimensions.Length < 2)
                throw new InvalidDataException($"{imagesPath}: expected at least 2 dimensions (examples × features), found {images.Dimensions.Length}.");
            if (labels.Dimensions.Length != 1)
                throw new InvalidDataException($"{labelsPath}: expected 1 dimension (one label per example), found {labels.Dimensions.Length}.");
            if (images.Dimensions[0] != labels.Dimensions[0])
                throw new InvalidDataException(
                    $"{imagesPath} holds {images.Dimensions[0]} examples but {labelsPath} holds {labels.Dimensions[0]} labels.");
            int featureSize = images.Length / images.Dimensions[0];
            if (classCount is <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The class count must be positive.");
            int[] y;
            try { y = labels.ToInt32(); }
            catch (InvalidOperationException ex) { throw new InvalidDataException($"{labelsPath}: a label is not a class index: {ex.Message}", ex); }
            long classes = classCount ?? 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] < 0 || (classCount is int c && y[i] >= c) || y[i] == int.MaxValue)
                    throw new InvalidDataException(
                        $"{labelsPath}: label {i} (at byte {8 + (long)i * IdxFile.SizeOf(labels.Type)}) is {y[i]}; expected a class in [0, " +
                        $"{(classCount is int k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : (int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture))}).");
                if (classCount is null) classes = Math.Max(classes, y[i] + 1L);
            }
            var x = images.ToSingle(scale);
            int bad = Kernels.FirstNonFinite(x);
            if (bad >= 0)
                throw new InvalidDataException(
                    $"{imagesPath}: value {bad} (example {bad / featureSize}, feature {bad % featureSize}) is {images[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}, " +
                    $"which times the scale {scale.ToString(System.Globalization.CultureInfo.InvariantCulture)} is {x[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}; a data set holds finite values only.");
            var data = new Dataset(x, featureSize, y, (int)classes);
            return images.Dimensions.Length == 3 ? data.WithImageSize(images.Dimensions[1], images.Dimensions[2]) : data;
        }
    }
}
