using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Networks
{
    // A three-channel image network for augmentation: 3×8×6 → Conv2D 2×3×3 → 2×6×4 → 2 Softmax.
    [Network(Channels = 3, Height = 8, Width = 6, BatchSize = 4)]
    [Conv2D(2, Kernel = 3)]
    [Dense(2, Activation.Softmax)]
    [Loss(LossKind.SoftmaxCrossEntropy)]
    public partial class ThreeChannelNet { }
}

namespace CompiledNet.Tests.Runtime
{
    /// <summary>Augmentation of images of several channels: one transform per image, the same on every channel plane.</summary>
    public class MultiChannelAugmentationTests
    {
        private const int C = 3, H = 5, W = 7;

        private static float[] RandomValues(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray();
        }

        [Fact]
        public void AThreeChannelShiftMovesEveryPlaneByTheSameWholePixels()
        {
            var image = RandomValues(C * H * W, 1);
            var target = new float[image.Length];
            new ImageAugmenter(new ImageAugmentation { Border = -1f }, C, H, W).Transform(image, target, 2, -1, 0);
            // By definition: target[c, y, x] = image[c, y + 1, x − 2], the border value where that is outside the plane.
            for (int c = 0; c < C; c++)
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++)
                    {
                        int sy = y + 1, sx = x - 2;
                        float expected = sy < H && sx >= 0 ? image[(c * H + sy) * W + sx] : -1f;
                        Assert.Equal(expected, target[(c * H + y) * W + x]);
                    }
        }

        [Theory]
        [InlineData(2f, -1f, 0f)]
        [InlineData(0.5f, 1.25f, 17f)]
        [InlineData(-1f, 0f, -90f)]
        public void EachPlaneIsTransformedExactlyAsASingleChannelImage(float dx, float dy, float degrees)
        {
            var image = RandomValues(C * H * W, 2);
            var target = new float[image.Length];
            new ImageAugmenter(new ImageAugmentation { Border = 0.25f }, C, H, W).Transform(image, target, dx, dy, degrees);
            var single = new ImageAugmenter(new ImageAugmentation { Border = 0.25f }, H, W);
            var plane = new float[H * W];
            for (int c = 0; c < C; c++)
            {
                single.Transform(image.AsSpan(c * H * W, H * W), plane, dx, dy, degrees);
                Assert.True(plane.AsSpan().SequenceEqual(target.AsSpan(c * H * W, H * W)), $"channel {c} differs from its plane transformed alone");
            }
        }

        [Fact]
        public void ChannelsNeverMix()
        {
            // Channel 1 is constant 5 and the border is 5: whatever the transform, it must stay exactly 5 while its
            // neighbours (values in [0, 1)) move, rotate and blend.
            var image = RandomValues(C * H * W, 3);
            image.AsSpan(H * W, H * W).Fill(5f);
            var augmenter = new ImageAugmenter(new ImageAugmentation { MaxShift = 2, MaxRotationDegrees = 40, Border = 5f }, C, H, W);
            var target = new float[image.Length];
            var rng = new Rng(7);
            for (int k = 0; k < 50; k++)
            {
                augmenter.Apply(image, target, rng);
                Assert.All(target.Skip(H * W).Take(H * W), v => Assert.Equal(5f, v));
                Assert.All(target.Take(H * W).Concat(target.Skip(2 * H * W)), v => Assert.InRange(v, 0f, 5f));
            }
        }

        [Fact]
        public void ApplyDrawsOneTransformPerImageForAllItsChannels()
        {
            var image = RandomValues(C * H * W, 4);
            var options = new ImageAugmentation { MaxShift = 2, MaxRotationDegrees = 30 };
            var all = new float[image.Length];
            new ImageAugmenter(options, C, H, W).Apply(image, all, new Rng(11));
            var single = new ImageAugmenter(options, H, W);
            var plane = new float[H * W];
            for (int c = 0; c < C; c++)
            {
                single.Apply(image.AsSpan(c * H * W, H * W), plane, new Rng(11));   // the same draws as the three-channel image's
                Assert.True(plane.AsSpan().SequenceEqual(all.AsSpan(c * H * W, H * W)), $"channel {c} got another transform");
            }
            Assert.False(all.AsSpan(0, H * W).SequenceEqual(image.AsSpan(0, H * W)));
        }

        [Fact]
        public void TheShapeComesFromTheConvolutionalNetworksDeclaration()
        {
            var data = new Dataset(new float[2 * 3 * 8 * 6], 3 * 8 * 6, new int[2], 2);
            var augmenter = new ImageAugmentation().CreateAugmenter(data, new ThreeChannelNet(1));
            Assert.Equal(3, augmenter.Channels);
            Assert.Equal(8 * 6, augmenter.PixelCount);
            Assert.Equal(3 * 8 * 6, augmenter.ValueCount);
            // Without the network the data set gives no shape.
            var ex = Assert.Throws<ArgumentException>(() => new ImageAugmentation().CreateAugmenter(data));
            Assert.Contains("needs the image size: the data set has 144 features", ex.Message);
        }

        [Fact]
        public void AFeatureCountThatIsNotChannelsTimesHeightTimesWidthIsRefusedWithTheValues()
        {
            var data = new Dataset(new float[2 * 140], 140, new int[2], 2);
            var ex = Assert.Throws<ArgumentException>(() => new ImageAugmentation().CreateAugmenter(data, new ThreeChannelNet(1)));
            Assert.Contains("Images of 3 × 8 × 6 values (channels × height × width: the network's declared Channels, the network's declared Height, the network's declared Width) have 144 values, but the examples have 140 features", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => new ImageAugmentation { Channels = 2, Height = 7, Width = 11 }.CreateAugmenter(data));
            Assert.Contains("Images of 2 × 7 × 11 values (channels × height × width: ImageAugmentation.Channels, ImageAugmentation.Height, ImageAugmentation.Width) have 154 values, but the examples have 140 features", ex.Message);
            Assert.Equal(2, new ImageAugmentation { Channels = 2, Height = 7, Width = 10 }.CreateAugmenter(data).Channels);
            ex = Assert.Throws<ArgumentException>(() => new ImageAugmenter(new ImageAugmentation(), 0, 5, 5));
            Assert.Contains("0 × 5 × 5", ex.Message);
            var augmenter = new ImageAugmenter(new ImageAugmentation(), 3, 4, 4);
            ex = Assert.Throws<ArgumentException>(() => augmenter.Transform(new float[16], new float[48], 0, 0, 0));
            Assert.Contains("source has 16 values; expected 48", ex.Message);
        }

        [Fact]
        public void TheTrainerAugmentsAThreeChannelNetworksImages()
        {
            var random = new Random(5);
            int n = 24, size = ThreeChannelNet.InputSize;
            var features = Enumerable.Range(0, n * size).Select(_ => (float)random.NextDouble()).ToArray();
            var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
            var data = new Dataset(features, size, labels, 2);
            var options = new TrainingOptions { Epochs = 2, Seed = 3, Augmentation = new ImageAugmentation { MaxShift = 1, MaxRotationDegrees = 5 } };
            var augmented = new ThreeChannelNet(2);
            var plain = new ThreeChannelNet(2);
            var result = Trainer.Train(augmented, data, options);
            Trainer.Train(plain, data, options with { Augmentation = null });
            Assert.Equal(2, result.Epochs.Count);
            Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
            Assert.False(augmented.Parameters.SequenceEqual(plain.Parameters));   // the augmented images differ from the originals
        }
    }
}
