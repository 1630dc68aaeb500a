using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CompiledNet
{
    /// <summary>
    /// Image augmentation applied on the fly while a batch is assembled (<see cref="TrainingOptions.Augmentation"/>):
    /// each example, each time it is drawn, is rotated by a random angle about the image centre and shifted by a random
    /// whole number of pixels, with bilinear interpolation. The data set in memory never changes; the randomness is
    /// seeded (see <see cref="ImageAugmenter"/>). Examples must be images of <see cref="Dataset.ImageHeight"/> ×
    /// <see cref="Dataset.ImageWidth"/> pixels, one float each, row-major (or give <see cref="Height"/> and <see cref="Width"/>).
    /// </summary>
    public sealed record ImageAugmentation
    {
        /// <summary>Largest shift in pixels, horizontally and vertically (each drawn uniformly from the integers −k … k). Default 2; 0 turns shifts off.</summary>
        public int MaxShift { get; init; } = 2;

        /// <summary>Chance that an example is shifted at all. Default 1.</summary>
        public float ShiftProbability { get; init; } = 1f;

        /// <summary>Largest rotation in degrees (the angle is drawn uniformly from [−θ, θ]; positive turns counter-clockwise as displayed, rows going down). Default 10; 0 turns rotations off.</summary>
        public float MaxRotationDegrees { get; init; } = 10f;

        /// <summary>Chance that an example is rotated at all. Default 1.</summary>
        public float RotationProbability { get; init; } = 1f;

        /// <summary>The value of every pixel outside the image (what shifts and rotations bring in). Default 0, the background of MNIST-style images.</summary>
        public float Border { get; init; }

        /// <summary>Image rows; 0 (default) takes <see cref="Dataset.ImageHeight"/>.</summary>
        public int Height { get; init; }

        /// <summary>Image columns; 0 (default) takes <see cref="Dataset.ImageWidth"/>.</summary>
        public int Width { get; init; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
        public void Validate()
        {
            if (MaxShift < 0) throw new ArgumentException($"MaxShift is {MaxShift}; it must be ≥ 0.", nameof(MaxShift));
            if (!(ShiftProbability >= 0 && ShiftProbability <= 1)) throw new ArgumentException($"ShiftProbability is {ShiftProbability}; it must be in [0, 1].", nameof(ShiftProbability));
            if (!(MaxRotationDegrees >= 0 && MaxRotationDegrees <= 180)) throw new ArgumentException($"MaxRotationDegrees is {MaxRotationDegrees}; it must be in [0, 180].", nameof(MaxRotationDegrees));
            if (!(RotationProbability >= 0 && RotationProbability <= 1)) throw new ArgumentException($"RotationProbability is {RotationProbability}; it must be in [0, 1].", nameof(RotationProbability));
            if (!float.IsFinite(Border)) throw new ArgumentException($"Border is {Border}; it must be finite.", nameof(Border));
            if (Height < 0 || Width < 0) throw new ArgumentException($"The image size {Height} × {Width} is negative.", nameof(Height));
        }

        /// <summary>An augmenter for the images of <paramref name="data"/> (its size from the data set unless set here).</summary>
        public ImageAugmenter CreateAugmenter(Dataset data)
        {
            ArgumentNullException.ThrowIfNull(data);
            int height = Height > 0 ? Height : data.ImageHeight, width = Width > 0 ? Width : data.ImageWidth;
            if (height == 0 || width == 0)
                throw new ArgumentException(
                    $"Image augmentation needs the image size: the data set has {data.FeatureSize} features and no image size. Use Dataset.WithImageSize(height, width) or set ImageAugmentation.Height and Width.", nameof(data));
            if ((long)height * width != data.FeatureSize)
                throw new ArgumentException($"Images of {height} × {width} pixels have {(long)height * width} values, but the examples have {data.FeatureSize} features.", nameof(data));
            return new ImageAugmenter(this, height, width);
        }
    }
}
