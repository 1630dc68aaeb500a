using System;
using System.Runtime.CompilerServices;

namespace CompiledNet
{
    /// <summary>
    /// The library's seeded random generator (xoshiro128**, seeded through SplitMix64). Its sequence is part of the
    /// product: the same seed gives the same initial weights, shuffles and masks on every machine and .NET version,
    /// which <see cref="System.Random"/> does not promise. Its whole state is four integers, so checkpoints can save it.
    /// Not thread-safe: give each thread its own.
    /// </summary>
    public sealed class Rng
    {
        private uint _s0, _s1, _s2, _s3;
        private float _spare;
        private bool _hasSpare;

        /// <summary>Creates a generator from a 64-bit seed.</summary>
        public Rng(long seed)
        {
            ulong z = unchecked((ulong)seed);
            ulong a = SplitMix(ref z), b = SplitMix(ref z);
            _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
            if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
        }

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = unchecked(x += 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        /// <summary>
        /// The generator's whole state, for checkpoints: restoring it continues the exact same sequence.
        /// </summary>
        public RngState State
        {
            get => new RngState(_s0, _s1, _s2, _s3, _spare, _hasSpare);
            set
            {
                if ((value.S0 | value.S1 | value.S2 | value.S3) == 0) throw new ArgumentException("An all-zero state is not a valid xoshiro128** state.", nameof(value));
                (_s0, _s1, _s2, _s3, _spare, _hasSpare) = (value.S0, value.S1, value.S2, value.S3, value.Spare, value.HasSpare);
            }
        }

        /// <summary>Next 32 random bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint NextUInt32()
        {
            uint result = BitRotate(_s1 * 5, 7) * 9;
            uint t = _s1 << 9;
            _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
            _s2 ^= t;
            _s3 = BitRotate(_s3, 11);
            return result;
        }

        private static uint BitRotate(uint x, int k) => (x << k) | (x >> (32 - k));

        /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
        public float NextFloat() => (NextUInt32() >> 8) * (1.0f / 16777216f);

        /// <summary>Uniform double in [0, 1).</summary>
        public double NextDouble() => (((ulong)NextUInt32() << 21) ^ (NextUInt32() >> 11)) * (1.0 / 9007199254740992.0);

        /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
        public int NextInt(int maxExclusive)
        {
            if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be > 0");
            ulong m = (ulong)NextUInt32() * (uint)maxExclusive;
            uint l = (uint)m;
            if (l < (uint)maxExclusive)
            {
                uint threshold = (uint)(-maxExclusive) % (uint)maxExclusive;
                while (l < threshold)
                {
                    m = (ulong)NextUInt32() * (uint)maxExclusive;
                    l = (uint)m;
                }
            }
            return (int)(m >> 32);
        }

        /// <summary>Standard normal sample (Box–Muller, both values used).</summary>
        public float NextGaussian()
        {
            if (_hasSpare) { _hasSpare = false; return _spare; }
            double u1 = 1.0 - NextDouble(); // (0, 1]
            double u2 = NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            double theta = 2.0 * Math.PI * u2;
            _spare = (float)(r * Math.Sin(theta));
            _hasSpare = true;
            return (float)(r * Math.Cos(theta));
        }

        /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
        public void Shuffle<T>(Span<T> items)
        {
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = NextInt(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }
}
