using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using CompiledNet.CompilerServices;

namespace CompiledNet
{
    /// <summary>
    /// Applies an <see cref="ImageAugmentation"/> to images of one shape (channels × height × width, channel after
    /// channel, each plane row-major): one transform per image, applied to every channel plane alike, so channels never
    /// mix. Holds its scratch buffers, so
    /// <see cref="Apply"/> and <see cref="Transform"/> allocate nothing. Not thread-safe: one per thread.
    /// <para>
    /// Geometry: pixel centres sit at integer coordinates (column x, row y), the centre of rotation at
    /// ((W − 1)/2, (H − 1)/2). The output pixel (x, y) takes the value of the input at the point that the rotation by
    /// θ followed by the shift by (dx, dy) carries onto it, read by bilinear interpolation from the input extended
    /// with <see cref="ImageAugmentation.Border"/> beyond its edges. So a shift by (1, 0) moves every pixel exactly one
    /// column to the right and brings the border value into column 0; rotation by 0 is the identity; rotation by 90°
    /// of a square image is the exact transposition-and-flip (sine and cosine within 1e-12 of 0 or ±1 are taken as
    /// exact). Every output is clamped to the range of the four input values it interpolates, so outputs stay within
    /// the range of the input and the border value. AVX2 with FMA evaluates 8 pixels at a time; the scalar path gives
    /// the same results up to rounding.
    /// </para>
    /// </summary>
    public sealed class ImageAugmenter
    {
        private readonly float[] _padded;   // (H + 2) × (W + 2): the image inside a one-pixel frame of the border value
        private readonly float[] _xs, _ys;  // column and row of each flat pixel index
        private readonly int _channels, _height, _width, _stride;
        private readonly float _border;

        /// <summary>An augmenter for images of one channel of <paramref name="height"/> × <paramref name="width"/> pixels.</summary>
        public ImageAugmenter(ImageAugmentation options, int height, int width)
            : this(options, 1, height, width)
        {
        }

        /// <summary>An augmenter for images of <paramref name="channels"/> planes of <paramref name="height"/> × <paramref name="width"/> pixels.</summary>
        public ImageAugmenter(ImageAugmentation options, int channels, int height, int width)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.Validate();
            if (channels <= 0 || height <= 0 || width <= 0)
                throw new ArgumentException($"The image shape {channels} × {height} × {width} (channels × height × width) must be positive.", channels <= 0 ? nameof(channels) : height <= 0 ? nameof(height) : nameof(width));
            if ((long)channels * height * width > int.MaxValue)
                throw new ArgumentException($"The image shape {channels} × {height} × {width} has {(long)channels * height * width} values, more than an array holds.", nameof(channels));
            Options = options;
            _channels = channels;
            _height = height;
            _width = width;
            _stride = width + 2;
            _border = options.Border;
            _padded = new float[(height + 2) * _stride];
            _padded.AsSpan().Fill(_border);
            _xs = new float[height * width];
            _ys = new float[height * width];
            for (int y = 0, i = 0; y < height; y++)
                for (int x = 0; x < width; x++, i++) { _xs[i] = x; _ys[i] = y; }
        }

        /// <summary>The settings.</summary>
        public ImageAugmentation Options { get; }

        /// <summary>Pixels per channel plane (rows × columns).</summary>
        public int PixelCount => _height * _width;

        /// <summary>Channels per image.</summary>
        public int Channels => _channels;

        /// <summary>Values per image (channels × rows × columns): the length <see cref="Apply"/> and <see cref="Transform"/> take.</summary>
        public int ValueCount => _channels * _height * _width;

        /// <summary>
        /// Writes a randomly augmented copy of <paramref name="source"/> to <paramref name="target"/>: with
        /// <see cref="ImageAugmentation.ShiftProbability"/> a shift drawn from −k … k in each direction, with
        /// <see cref="ImageAugmentation.RotationProbability"/> an angle from [−θ, θ]; the draws come from <paramref name="rng"/>,
        /// once per image, whatever its number of channels.
        /// </summary>
        public void Apply(ReadOnlySpan<float> source, Span<float> target, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(rng);
            var o = Options;
            int dx = 0, dy = 0;
            float degrees = 0;
            if (o.MaxShift > 0 && rng.NextFloat() < o.ShiftProbability)
            {
                dx = rng.NextInt(2 * o.MaxShift + 1) - o.MaxShift;
                dy = rng.NextInt(2 * o.MaxShift + 1) - o.MaxShift;
            }
            if (o.MaxRotationDegrees > 0 && rng.NextFloat() < o.RotationProbability)
                degrees = (2 * rng.NextFloat() - 1) * o.MaxRotationDegrees;
            Transform(source, target, dx, dy, degrees);
        }

        /// <summary>
        /// Writes <paramref name="source"/> rotated by <paramref name="degrees"/> (counter-clockwise as displayed) about
        /// the image centre and then shifted by (<paramref name="shiftX"/>, <paramref name="shiftY"/>) pixels (right, down)
        /// to <paramref name="target"/>, every channel plane alike. Both spans hold exactly <see cref="ValueCount"/> values.
        /// </summary>
        public void Transform(ReadOnlySpan<float> source, Span<float> target, float shiftX, float shiftY, float degrees)
        {
            int n = ValueCount;
            if (source.Length != n) Kernels.ThrowWrongLength(nameof(source), n, source.Length, Shape());
            if (target.Length != n) Kernels.ThrowWrongLength(nameof(target), n, target.Length, Shape());
            if (!float.IsFinite(shiftX) || !float.IsFinite(shiftY) || !float.IsFinite(degrees))
                throw new ArgumentException($"The shift ({shiftX}, {shiftY}) and angle {degrees} must be finite.");
            int plane = _height * _width;
            for (int c = 0; c < _channels; c++)
                TransformPlane(source.Slice(c * plane, plane), target.Slice(c * plane, plane), shiftX, shiftY, degrees);
        }

        /// <summary>The image shape in words, for errors only (it allocates).</summary>
        private string Shape() => _channels == 1 ? $"{_height} × {_width} pixels" : $"{_channels} channels × {_height} × {_width} pixels";

        /// <summary>One channel plane of <see cref="Transform"/>.</summary>
        private void TransformPlane(ReadOnlySpan<float> source, Span<float> target, float shiftX, float shiftY, float degrees)
        {
            // A shift beyond W + H moves the whole (rotated) image out of view; clamping keeps the integer casts safe.
            float far = _width + _height + 2;
            shiftX = Math.Clamp(shiftX, -far, far);
            shiftY = Math.Clamp(shiftY, -far, far);
            double radians = degrees * (Math.PI / 180);
            double cos = Snap(Math.Cos(radians)), sin = Snap(Math.Sin(radians));
            if (sin == 0 && cos == 1 && shiftX == MathF.Round(shiftX) && shiftY == MathF.Round(shiftY))
            {
                Shift(source, target, (int)shiftX, (int)shiftY);
                return;
            }
            for (int y = 0; y < _height; y++)
                source.Slice(y * _width, _width).CopyTo(_padded.AsSpan((y + 1) * _stride + 1, _width));
            double cx = (_width - 1) / 2.0, cy = (_height - 1) / 2.0;
            // Source point in padded coordinates (+1 for the frame): u = u0 + cos·x − sin·y, v = v0 + sin·x + cos·y.
            float u0 = (float)(cx + 1 - cos * (cx + shiftX) + sin * (cy + shiftY));
            float v0 = (float)(cy + 1 - sin * (cx + shiftX) - cos * (cy + shiftY));
            Bilinear(target, u0, v0, (float)cos, (float)sin);
        }

        private static double Snap(double value)
        {
            if (Math.Abs(value) < 1e-12) return 0;
            if (Math.Abs(value - 1) < 1e-12) return 1;
            if (Math.Abs(value + 1) < 1e-12) return -1;
            return value;
        }

        /// <summary>A whole-pixel shift: rows copied, the uncovered part filled with the border value. Exact.</summary>
        private void Shift(ReadOnlySpan<float> source, Span<float> target, int dx, int dy)
        {
            int w = _width, h = _height;
            if (dx == 0 && dy == 0) { source.CopyTo(target); return; }
            if (Math.Abs(dx) >= w || Math.Abs(dy) >= h) { target.Fill(_border); return; }
            int from = Math.Max(0, -dx), to = Math.Max(0, dx), length = w - Math.Abs(dx);
            for (int y = 0; y < h; y++)
            {
                var row = target.Slice(y * w, w);
                int sy = y - dy;
                if ((uint)sy >= (uint)h) { row.Fill(_border); continue; }
                source.Slice(sy * w + from, length).CopyTo(row.Slice(to, length));
                row[..to].Fill(_border);
                row[(to + length)..].Fill(_border);
            }
        }

        private unsafe void Bilinear(Span<float> target, float u0, float v0, float cos, float sin)
        {
            int n = target.Length, i = 0;
            float uMax = _width + 1, vMax = _height + 1;
            fixed (float* padded = _padded, xs = _xs, ys = _ys, output = target)
            {
                if (Avx2.IsSupported && Fma.IsSupported)
                {
                    var vu0 = Vector256.Create(u0); var vv0 = Vector256.Create(v0);
                    var vcos = Vector256.Create(cos); var vsin = Vector256.Create(sin); var vmsin = Vector256.Create(-sin);
                    var zero = Vector256<float>.Zero; var one = Vector256.Create(1f);
                    var vuMax = Vector256.Create(uMax); var vvMax = Vector256.Create(vMax);
                    var xLast = Vector256.Create(_width); var yLast = Vector256.Create(_height);
                    var stride = Vector256.Create(_stride);
                    var pairOrder = Vector256.Create(0, 1, 4, 5, 2, 3, 6, 7);
                    for (; i <= n - 8; i += 8)
                    {
                        var x = Avx.LoadVector256(xs + i);
                        var y = Avx.LoadVector256(ys + i);
                        var u = Fma.MultiplyAdd(vmsin, y, Fma.MultiplyAdd(vcos, x, vu0));
                        var v = Fma.MultiplyAdd(vcos, y, Fma.MultiplyAdd(vsin, x, vv0));
                        u = Avx.Min(Avx.Max(u, zero), vuMax);
                        v = Avx.Min(Avx.Max(v, zero), vvMax);
                        var x0 = Avx2.Min(Avx.ConvertToVector256Int32WithTruncation(u), xLast);
                        var y0 = Avx2.Min(Avx.ConvertToVector256Int32WithTruncation(v), yLast);
                        var fx = Avx.Subtract(u, Avx.ConvertToVector256Single(x0));
                        var fy = Avx.Subtract(v, Avx.ConvertToVector256Single(y0));
                        // Each neighbour pair (left, right) is one 64-bit gather: lanes 0, 1, 4, 5 in one, 2, 3, 6, 7
                        // in the other, so that unpacking the pairs with one shuffle gives the lanes in order.
                        var index = Avx2.PermuteVar8x32(Avx2.Add(Avx2.MultiplyLow(y0, stride), x0), pairOrder);
                        var topA = Avx2.GatherVector256((double*)padded, index.GetLower(), 4).AsSingle();
                        var topB = Avx2.GatherVector256((double*)padded, index.GetUpper(), 4).AsSingle();
                        var bottomA = Avx2.GatherVector256((double*)(padded + _stride), index.GetLower(), 4).AsSingle();
                        var bottomB = Avx2.GatherVector256((double*)(padded + _stride), index.GetUpper(), 4).AsSingle();
                        var p00 = Avx.Shuffle(topA, topB, 0b10_00_10_00);
                        var p01 = Avx.Shuffle(topA, topB, 0b11_01_11_01);
                        var p10 = Avx.Shuffle(bottomA, bottomB, 0b10_00_10_00);
                        var p11 = Avx.Shuffle(bottomA, bottomB, 0b11_01_11_01);
                        var gx = Avx.Subtract(one, fx);
                        var top = Fma.MultiplyAdd(p01, fx, Avx.Multiply(p00, gx));
                        var bottom = Fma.MultiplyAdd(p11, fx, Avx.Multiply(p10, gx));
                        var value = Fma.MultiplyAdd(bottom, fy, Avx.Multiply(top, Avx.Subtract(one, fy)));
                        var lo = Avx.Min(Avx.Min(p00, p01), Avx.Min(p10, p11));
                        var hi = Avx.Max(Avx.Max(p00, p01), Avx.Max(p10, p11));
                        Avx.Store(output + i, Avx.Min(Avx.Max(value, lo), hi));
                    }
                }
                for (; i < n; i++)
                {
                    float u = Math.Clamp(MathF.FusedMultiplyAdd(-sin, ys[i], MathF.FusedMultiplyAdd(cos, xs[i], u0)), 0, uMax);
                    float v = Math.Clamp(MathF.FusedMultiplyAdd(cos, ys[i], MathF.FusedMultiplyAdd(sin, xs[i], v0)), 0, vMax);
                    int x0 = Math.Min((int)u, _width), y0 = Math.Min((int)v, _height);
                    float fx = u - x0, fy = v - y0;
                    float* p = padded + y0 * _stride + x0;
                    float p00 = p[0], p01 = p[1], p10 = p[_stride], p11 = p[_stride + 1];
                    float top = MathF.FusedMultiplyAdd(p01, fx, p00 * (1 - fx));
                    float bottom = MathF.FusedMultiplyAdd(p11, fx, p10 * (1 - fx));
                    float value = MathF.FusedMultiplyAdd(bottom, fy, top * (1 - fy));
                    float lo = MathF.Min(MathF.Min(p00, p01), MathF.Min(p10, p11));
                    float hi = MathF.Max(MathF.Max(p00, p01), MathF.Max(p10, p11));
                    output[i] = Math.Clamp(value, lo, hi);
                }
            }
        }
    }
}
