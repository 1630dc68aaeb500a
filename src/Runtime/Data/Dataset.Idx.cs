using System;
using System.Globalization;
using System.IO;

using CompiledNet.CompilerServices;

namespace CompiledNet
{
    public sealed partial class Dataset
    {
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

        /// <summary>
        /// Loads regression data from two IDX files of the same examples (plain or gzip, recognised by content):
        /// <paramref name="featuresPath"/> holds the features, N values (one feature each), N×F, or N×H×W (which also sets
        /// <see cref="ImageHeight"/> and <see cref="ImageWidth"/>); <paramref name="targetsPath"/> holds the float targets,
        /// N (one per example) or N×T (<see cref="TargetSize"/> = T). Both may be of any IDX type: unsigned or signed bytes,
        /// int16, int32, float32 or float64. The features are multiplied by <paramref name="scale"/>; when it is null,
        /// unsigned-byte features are scaled by 1/255 (pixels to [0, 1], as <see cref="FromIdx"/> does) and features of
        /// every other type are kept as they are. Targets are never scaled.
        /// </summary>
        /// <remarks>
        /// A malformed file, features and targets that disagree on the number of examples, a target file of more than two
        /// dimensions, and a value that is NaN or infinite (or a float64 beyond the float32 range) throw
        /// <see cref="InvalidDataException"/> whose message starts with the file's path and names the byte offset and the
        /// value found (in a gzip file, offsets count decompressed bytes).
        /// </remarks>
        public static Dataset FromIdxRegression(string featuresPath, string targetsPath, float? scale = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(featuresPath);
            ArgumentException.ThrowIfNullOrEmpty(targetsPath);
            if (scale is float s && !(float.IsFinite(s) && s != 0))
                throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and not zero.");
            var features = IdxFile.Read(featuresPath, out bool featuresGzip);
            var targets = IdxFile.Read(targetsPath, out bool targetsGzip);
            if (targets.Dimensions.Length > 2)
                throw new InvalidDataException(
                    $"{targetsPath}: expected 1 dimension (one target per example) or 2 (examples × targets), found {targets.Dimensions.Length} " +
                    $"({string.Join(" × ", targets.Dimensions)}) in the header (byte 3).");
            int count = features.Dimensions[0];
            if (targets.Dimensions[0] != count)
                throw new InvalidDataException(
                    $"{featuresPath} holds {count} examples but {targetsPath} holds {targets.Dimensions[0]} rows of targets " +
                    "(the first dimension of each file, bytes 4–7); the two files must describe the same examples.");

            int featureSize = features.Length / count;
            float featureScale = scale ?? (features.Type == IdxType.UnsignedByte ? 1f / 255 : 1f);
            var x = features.ToSingle(featureScale);
            int bad = Kernels.FirstNonFinite(x);
            if (bad >= 0)
                throw NonFinite(featuresPath, features, featuresGzip, bad, x[bad], $"example {bad / featureSize}, feature {bad % featureSize}", featureScale);

            int targetSize = targets.Length / count;
            var y = targets.ToSingle();
            bad = Kernels.FirstNonFinite(y);
            if (bad >= 0)
                throw NonFinite(targetsPath, targets, targetsGzip, bad, y[bad], $"example {bad / targetSize}, target {bad % targetSize}", 1f);

            var data = new Dataset(x, featureSize, y, targetSize, count);
            return features.Dimensions.Length == 3 ? data.WithImageSize(features.Dimensions[1], features.Dimensions[2]) : data;
        }

        /// <summary>"PATH: value I (…) at byte B is V…; a data set holds finite values only", saying why a finite stored value became non-finite.</summary>
        private static InvalidDataException NonFinite(string path, IdxArray array, bool gzip, int index, float converted, string where, float scale)
        {
            double stored = array[index];
            string value = stored.ToString("R", CultureInfo.InvariantCulture);
            string why = !double.IsFinite(stored) ? ""
                : scale != 1f ? $", which times the scale {scale.ToString(CultureInfo.InvariantCulture)} is {converted.ToString(CultureInfo.InvariantCulture)} as a float32"
                : $", beyond the float32 range (it becomes {converted.ToString(CultureInfo.InvariantCulture)})";
            return new InvalidDataException(
                $"{path}: value {index} ({where}) at byte {IdxFile.OffsetOf(array, index)}{(gzip ? " of the decompressed data" : "")} is {value}{why}; " +
                "a data set holds finite values only (a NaN or infinite value would turn the parameters it trains into NaN).");
        }
    }
}
