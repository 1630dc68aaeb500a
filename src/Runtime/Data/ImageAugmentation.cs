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
    /// seeded (see <see cref="ImageAugmenter"/>). Examples are images of channels × height × width values, channel
    /// after channel, each channel's plane row-major (the layout of a convolutional network's input); every channel of
    /// an example gets the same transform. The shape comes from <see cref="Channels"/>, <see cref="Height"/> and
    /// <see cref="Width"/> where set, else from the network's declared image (a convolutional network's
    /// <c>Channels</c>, <c>Height</c> and <c>Width</c>), else from the data set (<see cref="Dataset.ImageHeight"/> ×
    /// <see cref="Dataset.ImageWidth"/>, one channel).
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

        /// <summary>Image channels; 0 (default) takes the network's declared channels, else 1.</summary>
        public int Channels { get; init; }

        /// <summary>Image rows; 0 (default) takes the network's declared height, else <see cref="Dataset.ImageHeight"/>.</summary>
        public int Height { get; init; }

        /// <summary>Image columns; 0 (default) takes the network's declared width, else <see cref="Dataset.ImageWidth"/>.</summary>
        public int Width { get; init; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
        public void Validate()
        {
            if (MaxShift < 0) throw new ArgumentException($"MaxShift is {MaxShift}; it must be ≥ 0.", nameof(MaxShift));
            if (!(ShiftProbability >= 0 && ShiftProbability <= 1)) throw new ArgumentException($"ShiftProbability is {ShiftProbability}; it must be in [0, 1].", nameof(ShiftProbability));
            if (!(MaxRotationDegrees >= 0 && MaxRotationDegrees <= 180)) throw new ArgumentException($"MaxRotationDegrees is {MaxRotationDegrees}; it must be in [0, 180].", nameof(MaxRotationDegrees));
            if (!(RotationProbability >= 0 && RotationProbability <= 1)) throw new ArgumentException($"RotationProbability is {RotationProbability}; it must be in [0, 1].", nameof(RotationProbability));
            if (!float.IsFinite(Border)) throw new ArgumentException($"Border is {Border}; it must be finite.", nameof(Border));
            if (Channels < 0 || Height < 0 || Width < 0) throw new ArgumentException($"The image shape {Channels} × {Height} × {Width} (channels × height × width) has a negative size.", Channels < 0 ? nameof(Channels) : Height < 0 ? nameof(Height) : nameof(Width));
        }

        /// <summary>An augmenter for the images of <paramref name="data"/> (their shape from the settings here, else from the data set).</summary>
        public ImageAugmenter CreateAugmenter(Dataset data) => CreateAugmenter(data, null);

        /// <summary>
        /// An augmenter for the images of <paramref name="data"/> fed to <paramref name="network"/>: each of channels,
        /// height and width from the settings here where set, else from the network's declared input image (when it is
        /// an <see cref="IConvolutional"/>), else height and width from the data set and one channel. Throws
        /// <see cref="ArgumentException"/> naming the shape, where each size came from, and the feature count when
        /// channels × height × width is not the examples' feature count.
        /// </summary>
        public ImageAugmenter CreateAugmenter(Dataset data, INetwork? network)
        {
            ArgumentNullException.ThrowIfNull(data);
            Validate();
            var image = network is IConvolutional convolutional && convolutional.FeatureLayers.Count > 0 ? convolutional.FeatureLayers[0] : null;
            (int Size, string From) Pick(int setting, string name, int? declared, int fromData, string dataName)
                => setting > 0 ? (setting, "ImageAugmentation." + name)
                 : declared is int d ? (d, "the network's declared " + name)
                 : fromData > 0 ? (fromData, "Dataset." + dataName)
                 : (0, "");
            (int Size, string From) channels = Channels > 0 ? (Channels, "ImageAugmentation.Channels")
                : image is not null ? (image.InputChannels, "the network's declared Channels")
                : (1, "one channel by default");
            var height = Pick(Height, nameof(Height), image?.InputHeight, data.ImageHeight, nameof(Dataset.ImageHeight));
            var width = Pick(Width, nameof(Width), image?.InputWidth, data.ImageWidth, nameof(Dataset.ImageWidth));
            if (height.Size == 0 || width.Size == 0)
                throw new ArgumentException(
                    $"Image augmentation needs the image size: the data set has {data.FeatureSize} features and no image size. Use Dataset.WithImageSize(height, width) or set ImageAugmentation.Height and Width (and Channels for images of several channels).", nameof(data));
            long values = (long)channels.Size * height.Size * width.Size;
            if (values != data.FeatureSize)
                throw new ArgumentException(
                    $"Images of {channels.Size} × {height.Size} × {width.Size} values (channels × height × width: {channels.From}, {height.From}, {width.From}) have {values} values, but the examples have {data.FeatureSize} features.", nameof(data));
            return new ImageAugmenter(this, channels.Size, height.Size, width.Size);
        }
    }
}
