using System;

using CompiledNet.CompilerServices;

namespace CompiledNet
{
    /// <summary>
    /// An in-memory data set: <see cref="Count"/> examples of <see cref="FeatureSize"/> floats, row after row in one
    /// array, and for each example either one class label (classification: <see cref="Label"/>, <see cref="ClassCount"/>)
    /// or <see cref="TargetSize"/> float targets (regression: <see cref="Targets"/>, built by <see cref="ForRegression"/>,
    /// <see cref="FromCsv(string, CsvOptions?)"/> with <see cref="CsvOptions.TargetNames"/> or <see cref="CsvOptions.TargetColumns"/>,
    /// or <see cref="FromCsvFiles"/>). One type for both, as ML.NET has one data view whose label
    /// column is a key or a float: slicing, splitting, batching, standardising and the training loop work on either, and
    /// only what needs classes (<see cref="StratifiedSplit"/>, class-balanced batches, accuracy) refuses regression data.
    /// Immutable once built; training never changes it.
    /// </summary>
    public sealed partial class Dataset
    {
        private readonly float[] _features;
        private readonly int[]? _labels;
        private readonly float[]? _targets;

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
            Count = labels.Length;
        }

        private Dataset(float[] features, int featureSize, float[] targets, int targetSize, int count)
        {
            _features = features;
            _targets = targets;
            FeatureSize = featureSize;
            TargetSize = targetSize;
            Count = count;
        }

        private Dataset(Dataset source, float[] features, int height, int width)
        {
            _features = features;
            _labels = source._labels;
            _targets = source._targets;
            FeatureSize = source.FeatureSize;
            ClassCount = source.ClassCount;
            TargetSize = source.TargetSize;
            Count = source.Count;
            ImageHeight = height;
            ImageWidth = width;
        }

        /// <summary>
        /// A regression data set: <paramref name="features"/> (rows of <paramref name="featureSize"/>) and
        /// <paramref name="targets"/> (rows of <paramref name="targetSize"/>, one row per example: a network with a
        /// quadratic loss and <c>OutputSize</c> = <paramref name="targetSize"/> learns them); no copy. Both must hold
        /// the same number of rows and finite values only; otherwise <see cref="ArgumentException"/> names the array,
        /// the example and the column.
        /// </summary>
        public static Dataset ForRegression(float[] features, int featureSize, float[] targets, int targetSize = 1)
        {
            ArgumentNullException.ThrowIfNull(features);
            ArgumentNullException.ThrowIfNull(targets);
            if (featureSize <= 0) throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, "The feature size must be positive.");
            if (targetSize <= 0) throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, "The target size must be positive.");
            if (targets.Length % targetSize != 0)
                throw new ArgumentException($"targets has {targets.Length} values, not a whole number of rows of {targetSize}.", nameof(targets));
            int count = targets.Length / targetSize;
            if ((long)count * featureSize != features.Length)
                throw new ArgumentException(
                    $"features has {features.Length} values; expected {(long)count * featureSize} ({count} target rows × {featureSize} features).", nameof(features));
            CheckFinite(features, featureSize, nameof(features), "feature");
            CheckFinite(targets, targetSize, nameof(targets), "target");
            return new Dataset(features, featureSize, targets, targetSize, count);
        }

        private static void CheckFinite(float[] values, int rowSize, string name, string what)
        {
            int bad = Kernels.FirstNonFinite(values);
            if (bad >= 0)
                throw new ArgumentException(
                    $"{name}[{bad}] (example {bad / rowSize}, {what} {bad % rowSize}) is {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                    "a data set holds finite values only (a NaN or infinite value would turn the parameters it trains into NaN).", name);
        }

        /// <summary>
        /// The same labels or targets and image size with other features (for example standardised ones), no copy:
        /// <paramref name="features"/> must have <see cref="Count"/> × <see cref="FeatureSize"/> finite values.
        /// </summary>
        public Dataset WithFeatures(float[] features)
        {
            ArgumentNullException.ThrowIfNull(features);
            if ((long)Count * FeatureSize != features.Length)
                throw new ArgumentException($"features has {features.Length} values; expected {(long)Count * FeatureSize} ({Count} examples × {FeatureSize} features).", nameof(features));
            CheckFinite(features, FeatureSize, nameof(features), "feature");
            return new Dataset(this, features, ImageHeight, ImageWidth);
        }

        /// <summary>
        /// A copy of this data set with every example standardised by <paramref name="standardizer"/> (fitted with
        /// <see cref="Standardizer.Fit"/> on the training set); labels or targets and the image size are kept. Works
        /// for classification and regression data alike; the targets are not changed.
        /// </summary>
        public Dataset Standardize(Standardizer standardizer)
        {
            ArgumentNullException.ThrowIfNull(standardizer);
            if (standardizer.FeatureSize != FeatureSize)
                throw new ArgumentException($"The standardizer was fitted on {standardizer.FeatureSize} features; this data set has {FeatureSize}.", nameof(standardizer));
            var features = _features.AsSpan(0, Count * FeatureSize).ToArray();
            for (int i = 0; i < Count; i++) standardizer.Apply(features.AsSpan(i * FeatureSize, FeatureSize));
            return new Dataset(this, features, ImageHeight, ImageWidth);
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
            return new Dataset(this, _features, height, width);
        }

        /// <summary>Rows of each example as an image (set by <see cref="FromIdx"/> for N×H×W files, or by <see cref="WithImageSize"/>); 0 when unknown.</summary>
        public int ImageHeight { get; }

        /// <summary>Columns of each example as an image; 0 when unknown.</summary>
        public int ImageWidth { get; }

        private Dataset Described(Dataset copy) => ImageHeight > 0 ? new Dataset(copy, copy._features, ImageHeight, ImageWidth) : copy;

        /// <summary>Number of examples.</summary>
        public int Count { get; }

        /// <summary>Number of features per example.</summary>
        public int FeatureSize { get; }

        /// <summary>Number of classes: labels lie in [0, ClassCount). 0 for regression data.</summary>
        public int ClassCount { get; }

        /// <summary>True when the examples carry float targets (<see cref="Targets"/>) instead of class labels.</summary>
        public bool IsRegression => _targets is not null;

        /// <summary>Number of targets per example of regression data; 0 for classification data.</summary>
        public int TargetSize { get; }

        /// <summary>The features of example <paramref name="index"/>.</summary>
        public ReadOnlySpan<float> Features(int index) => new ReadOnlySpan<float>(_features, checked(index * FeatureSize), FeatureSize);

        /// <summary>The label of example <paramref name="index"/>; <see cref="InvalidOperationException"/> for regression data.</summary>
        public int Label(int index) => ClassLabels[index];

        /// <summary>The <see cref="TargetSize"/> targets of example <paramref name="index"/>; <see cref="InvalidOperationException"/> for classification data.</summary>
        public ReadOnlySpan<float> Targets(int index) => new ReadOnlySpan<float>(RegressionTargets, checked(index * TargetSize), TargetSize);

        /// <summary>All features, row after row.</summary>
        public ReadOnlySpan<float> AllFeatures => _features;

        /// <summary>All labels; <see cref="InvalidOperationException"/> for regression data (it has <see cref="AllTargets"/>).</summary>
        public ReadOnlySpan<int> Labels => ClassLabels;

        /// <summary>All targets, row after row; <see cref="InvalidOperationException"/> for classification data (it has <see cref="Labels"/>).</summary>
        public ReadOnlySpan<float> AllTargets => RegressionTargets;

        private int[] ClassLabels => _labels ?? throw new InvalidOperationException(
            $"This data set holds regression targets ({TargetSize} per example), not class labels: read Targets or AllTargets.");

        private float[] RegressionTargets => _targets ?? throw new InvalidOperationException(
            "This data set holds class labels, not regression targets: read Label or Labels.");

        /// <summary>A copy of examples [start, start + count).</summary>
        public Dataset Slice(int start, int count)
        {
            if (start < 0 || count < 0 || start + count > Count)
                throw new ArgumentOutOfRangeException(nameof(count), $"[{start}, {start + count}) is not inside the {Count} examples.");
            var features = _features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray();
            return Described(_targets is not null
                ? new Dataset(features, FeatureSize, _targets.AsSpan(start * TargetSize, count * TargetSize).ToArray(), TargetSize, count)
                : new Dataset(features, FeatureSize, ClassLabels.AsSpan(start, count).ToArray(), ClassCount));
        }

        /// <summary>
        /// A random split: <paramref name="validationShare"/> of the examples (rounded) drawn with the given seed form
        /// the validation set, the rest the training set; both keep the original order of their examples. For
        /// classification data <see cref="StratifiedSplit"/> keeps the class shares equal in both parts.
        /// </summary>
        public (Dataset Train, Dataset Validation) Split(double validationShare, long seed)
        {
            if (!(validationShare > 0 && validationShare < 1))
                throw new ArgumentOutOfRangeException(nameof(validationShare), validationShare, "The validation share must be in (0, 1).");
            var rng = new Rng(seed);
            var order = new int[Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            rng.Shuffle(order.AsSpan());
            var inValidation = new bool[Count];
            int take = (int)Math.Round(Count * validationShare);
            for (int k = 0; k < take; k++) inValidation[order[k]] = true;
            return (Subset(inValidation, false), Subset(inValidation, true));
        }

        /// <summary>
        /// A stratified split: each class contributes the same share (rounded) to the validation set, chosen at random
        /// with the given seed; both parts keep the original order of their examples.
        /// </summary>
        public (Dataset Train, Dataset Validation) StratifiedSplit(double validationShare, long seed)
        {
            if (IsRegression)
                throw new InvalidOperationException("A stratified split keeps class shares, and this regression data set has no classes: use Split.");
            if (!(validationShare > 0 && validationShare < 1))
                throw new ArgumentOutOfRangeException(nameof(validationShare), validationShare, "The validation share must be in (0, 1).");
            var rng = new Rng(seed);
            var inValidation = new bool[Count];
            for (int c = 0; c < ClassCount; c++)
            {
                var members = new System.Collections.Generic.List<int>();
                for (int i = 0; i < Count; i++) if (_labels![i] == c) members.Add(i);
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
            var labels = _labels is null ? null : new int[n];
            var targets = _targets is null ? null : new float[n * TargetSize];
            for (int i = 0, k = 0; i < Count; i++)
            {
                if (mask[i] != keep) continue;
                Features(i).CopyTo(features.AsSpan(k * FeatureSize, FeatureSize));
                if (labels is not null) labels[k] = _labels![i];
                else Targets(i).CopyTo(targets.AsSpan(k * TargetSize, TargetSize));
                k++;
            }
            return Described(targets is not null
                ? new Dataset(features, FeatureSize, targets, TargetSize, n)
                : new Dataset(features, FeatureSize, labels!, ClassCount));
        }

        /// <summary>The first <paramref name="count"/> examples (all of them if there are fewer).</summary>
        public Dataset Take(int count) => Slice(0, Math.Min(count, Count));
    }
}
