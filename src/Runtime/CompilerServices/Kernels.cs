using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// Primitives the generated networks call. Public only so generated code in the user's assembly can reach them;
    /// not part of the API a user programs against.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static partial class Kernels
    {
        /// <summary>
        /// <c>a &gt; b ? a : b</c> without a branch: one <c>maxss</c> (x86) or <c>fmax</c> (Arm) where the CPU has it (a
        /// max pooling window's comparisons depend on the data, and a branch per comparison is mispredicted often).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Larger(float a, float b)
        {
            if (Sse.IsSupported) return Sse.MaxScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar();
            if (AdvSimd.IsSupported) return AdvSimd.Max(Vector64.CreateScalarUnsafe(a), Vector64.CreateScalarUnsafe(b)).ToScalar();
            return a > b ? a : b;
        }

        /// <summary>
        /// One output row of 2×2 max pooling with stride 2 over an image <paramref name="width"/> floats wide:
        /// <c>y[j]</c> = the largest of <c>top[2j]</c>, <c>top[2j + 1]</c>, <c>bottom[2j]</c>, <c>bottom[2j + 1]</c> (the
        /// bottom row starting <paramref name="width"/> floats after <paramref name="top"/>) for <c>j</c> &lt;
        /// <paramref name="count"/>, compared in that order with <see cref="Larger(float, float)"/>'s rule (so the same bits
        /// as that scalar form, NaN and signed zeros included), in the widest vectors the JIT accelerates.
        /// </summary>
        public static void LargestOfPairs(ref float top, int width, ref float y, int count)
        {
            ref float bottom = ref Unsafe.Add(ref top, width);
            nuint j = 0, n = (nuint)Math.Max(count, 0);
            if (Vector512.IsHardwareAccelerated)
                for (; j + 16 <= n; j += 16)
                {
                    var t0 = Vector512.LoadUnsafe(ref top, 2 * j).AsUInt64(); var t1 = Vector512.LoadUnsafe(ref top, 2 * j + 16).AsUInt64();
                    var b0 = Vector512.LoadUnsafe(ref bottom, 2 * j).AsUInt64(); var b1 = Vector512.LoadUnsafe(ref bottom, 2 * j + 16).AsUInt64();
                    // even elements: the low half of each pair read as a 64-bit integer; odd ones: the high half
                    var topEven = Vector512.Narrow(t0, t1).AsSingle(); var topOdd = Vector512.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                    var bottomEven = Vector512.Narrow(b0, b1).AsSingle(); var bottomOdd = Vector512.Narrow(b0 >>> 32, b1 >>> 32).AsSingle();
                    Larger(bottomOdd, Larger(bottomEven, Larger(topOdd, topEven))).StoreUnsafe(ref y, j);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= n; j += 8)
                {
                    var t0 = Vector256.LoadUnsafe(ref top, 2 * j).AsUInt64(); var t1 = Vector256.LoadUnsafe(ref top, 2 * j + 8).AsUInt64();
                    var b0 = Vector256.LoadUnsafe(ref bottom, 2 * j).AsUInt64(); var b1 = Vector256.LoadUnsafe(ref bottom, 2 * j + 8).AsUInt64();
                    // even elements: the low half of each pair read as a 64-bit integer; odd ones: the high half
                    var topEven = Vector256.Narrow(t0, t1).AsSingle(); var topOdd = Vector256.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                    var bottomEven = Vector256.Narrow(b0, b1).AsSingle(); var bottomOdd = Vector256.Narrow(b0 >>> 32, b1 >>> 32).AsSingle();
                    Larger(bottomOdd, Larger(bottomEven, Larger(topOdd, topEven))).StoreUnsafe(ref y, j);
                }
            if (Vector128.IsHardwareAccelerated)
                for (; j + 4 <= n; j += 4)
                {
                    var t0 = Vector128.LoadUnsafe(ref top, 2 * j).AsUInt64(); var t1 = Vector128.LoadUnsafe(ref top, 2 * j + 4).AsUInt64();
                    var b0 = Vector128.LoadUnsafe(ref bottom, 2 * j).AsUInt64(); var b1 = Vector128.LoadUnsafe(ref bottom, 2 * j + 4).AsUInt64();
                    // even elements: the low half of each pair read as a 64-bit integer; odd ones: the high half
                    var topEven = Vector128.Narrow(t0, t1).AsSingle(); var topOdd = Vector128.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                    var bottomEven = Vector128.Narrow(b0, b1).AsSingle(); var bottomOdd = Vector128.Narrow(b0 >>> 32, b1 >>> 32).AsSingle();
                    Larger(bottomOdd, Larger(bottomEven, Larger(topOdd, topEven))).StoreUnsafe(ref y, j);
                }
            for (; j < n; j++)
            {
                float best = Larger(Unsafe.Add(ref top, 2 * j + 1), Unsafe.Add(ref top, 2 * j));
                best = Larger(Unsafe.Add(ref bottom, 2 * j), best);
                Unsafe.Add(ref y, j) = Larger(Unsafe.Add(ref bottom, 2 * j + 1), best);
            }
        }

        /// <summary>
        /// <see cref="LargestOfPairs(ref float, int, ref float, int)"/> for the training forward, which also records where
        /// each maximum is: <c>at[j]</c> = <paramref name="offset"/> + the index of the winner counted from
        /// <paramref name="top"/> (the first of equal values, in the order top-left, top-right, bottom-left, bottom-right;
        /// a NaN never wins a comparison).
        /// </summary>
        public static void LargestOfPairs(ref float top, int width, ref float y, ref int at, int count, int offset)
        {
            ref float bottom = ref Unsafe.Add(ref top, width);
            nuint j = 0, n = (nuint)Math.Max(count, 0);
            if (Vector512.IsHardwareAccelerated)
            {
                var pairs = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) + Vector512.Create(offset);
                for (; j + 16 <= n; j += 16)
                {
                    var t0 = Vector512.LoadUnsafe(ref top, 2 * j).AsUInt64(); var t1 = Vector512.LoadUnsafe(ref top, 2 * j + 16).AsUInt64();
                    var b0 = Vector512.LoadUnsafe(ref bottom, 2 * j).AsUInt64(); var b1 = Vector512.LoadUnsafe(ref bottom, 2 * j + 16).AsUInt64();
                    // even elements: the low half of each pair read as a 64-bit integer; odd ones: the high half
                    var topEven = Vector512.Narrow(t0, t1).AsSingle(); var topOdd = Vector512.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                    var bottomEven = Vector512.Narrow(b0, b1).AsSingle(); var bottomOdd = Vector512.Narrow(b0 >>> 32, b1 >>> 32).AsSingle();
                    var first = pairs + Vector512.Create(2 * (int)j);
                    var where = Vector512.ConditionalSelect(Vector512.GreaterThan(topOdd, topEven).AsInt32(), first + Vector512.Create(1), first);
                    var best = Larger(topOdd, topEven);
                    where = Vector512.ConditionalSelect(Vector512.GreaterThan(bottomEven, best).AsInt32(), first + Vector512.Create(width), where);
                    best = Larger(bottomEven, best);
                    where = Vector512.ConditionalSelect(Vector512.GreaterThan(bottomOdd, best).AsInt32(), first + Vector512.Create(width + 1), where);
                    Larger(bottomOdd, best).StoreUnsafe(ref y, j);
                    where.StoreUnsafe(ref at, j);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var pairs = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14) + Vector256.Create(offset);
                for (; j + 8 <= n; j += 8)
                {
                    var t0 = Vector256.LoadUnsafe(ref top, 2 * j).AsUInt64(); var t1 = Vector256.LoadUnsafe(ref top, 2 * j + 8).AsUInt64();
                    var b0 = Vector256.LoadUnsafe(ref bottom, 2 * j).AsUInt64(); var b1 = Vector256.LoadUnsafe(ref bottom, 2 * j + 8).AsUInt64();
                    // even elements: the low half of each pair read as a 64-bit integer; odd ones: the high half
                    var topEven = Vector256.Narrow(t0, t1).AsSingle(); var topOdd = Vector256.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                    var bottomEven = Vector256.Narrow(b0, b1).AsSingle(); var bottomOdd = Vector256.Narrow(b0 >>> 32, b1 >>> 32).AsSingle();
                    var first = pairs + Vector256.Create(2 * (int)j);
                    var where = Vector256.ConditionalSelect(Vector256.GreaterThan(topOdd, topEven).AsInt32(), first + Vector256.Create(1), first);
                    var best = Larger(topOdd, topEven);
                    where = Vector256.ConditionalSelect(Vector256.GreaterThan(bottomEven, best).AsInt32(), first + Vector256.Create(width), where);
                    best = Larger(bottomEven, best);
                    where = Vector256.ConditionalSelect(Vector256.GreaterThan(bottomOdd, best).AsInt32(), first + Vector256.Create(width + 1), where);
                    Larger(bottomOdd, best).StoreUnsafe(ref y, j);
                    where.StoreUnsafe(ref at, j);
                }
            }
            if (Vector128.IsHardwareAccelerated)
            {
                var pairs = Vector128.Create(0, 2, 4, 6) + Vector128.Create(offset);
                for (; j + 4 <= n; j += 4)
                {
                    var t0 = Vector128.LoadUnsafe(ref top, 2 * j).AsUInt64(); var t1 = Vector128.LoadUnsafe(ref top, 2 * j + 4).AsUInt64();
                    var b0 = Vector128.LoadUnsafe(ref bottom, 2 * j).AsUInt64(); var b1 = Vector128.LoadUnsafe(ref bottom, 2 * j + 4).AsUInt64();
                    // even elements: the low half of each pair read as a 64-bit integer; odd ones: the high half
                    var topEven = Vector128.Narrow(t0, t1).AsSingle(); var topOdd = Vector128.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                    var bottomEven = Vector128.Narrow(b0, b1).AsSingle(); var bottomOdd = Vector128.Narrow(b0 >>> 32, b1 >>> 32).AsSingle();
                    var first = pairs + Vector128.Create(2 * (int)j);
                    var where = Vector128.ConditionalSelect(Vector128.GreaterThan(topOdd, topEven).AsInt32(), first + Vector128.Create(1), first);
                    var best = Larger(topOdd, topEven);
                    where = Vector128.ConditionalSelect(Vector128.GreaterThan(bottomEven, best).AsInt32(), first + Vector128.Create(width), where);
                    best = Larger(bottomEven, best);
                    where = Vector128.ConditionalSelect(Vector128.GreaterThan(bottomOdd, best).AsInt32(), first + Vector128.Create(width + 1), where);
                    Larger(bottomOdd, best).StoreUnsafe(ref y, j);
                    where.StoreUnsafe(ref at, j);
                }
            }
            for (; j < n; j++)
            {
                int first = 2 * (int)j;
                float best = Unsafe.Add(ref top, first);
                int where = first;
                float value = Unsafe.Add(ref top, first + 1);
                where = Select(value > best, first + 1, where);
                best = Larger(value, best);
                value = Unsafe.Add(ref bottom, first);
                where = Select(value > best, first + width, where);
                best = Larger(value, best);
                value = Unsafe.Add(ref bottom, first + 1);
                where = Select(value > best, first + width + 1, where);
                Unsafe.Add(ref y, j) = Larger(value, best);
                Unsafe.Add(ref at, j) = offset + where;
            }
        }

        /// <summary><see cref="Larger(float, float)"/> lane by lane: <c>maxps</c> (x86) or <c>fmax</c> (Arm).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Larger(Vector128<float> a, Vector128<float> b)
        {
            if (Sse.IsSupported) return Sse.Max(a, b);
            if (AdvSimd.IsSupported) return AdvSimd.Max(a, b);
            return Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);
        }

        /// <summary><see cref="Larger(float, float)"/> lane by lane: <c>vmaxps</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Larger(Vector256<float> a, Vector256<float> b)
            => Avx.IsSupported ? Avx.Max(a, b) : Vector256.ConditionalSelect(Vector256.GreaterThan(a, b), a, b);

        /// <summary><see cref="Larger(float, float)"/> lane by lane: <c>vmaxps</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Larger(Vector512<float> a, Vector512<float> b)
            => Avx512F.IsSupported ? Avx512F.Max(a, b) : Vector512.ConditionalSelect(Vector512.GreaterThan(a, b), a, b);

        /// <summary>
        /// <c>condition ? ifTrue : ifFalse</c> in integer arithmetic, without a branch (the JIT keeps a conditional inside a
        /// loop as a branch, which a max pooling window's data-dependent comparisons mispredict often).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Select(bool condition, int ifTrue, int ifFalse)
            => ifFalse ^ ((ifFalse ^ ifTrue) & -Unsafe.BitCast<bool, byte>(condition));

        /// <summary>
        /// target[c·rows + r] = source[r·columns + c]: the rows × columns matrix <paramref name="source"/> (row-major)
        /// transposed into <paramref name="target"/>, in tiles of 8 × 8 so that both sides stay in few cache lines.
        /// </summary>
        public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> target)
        {
            if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "The row count must not be negative.");
            if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "The column count must not be negative.");
            if ((long)rows * columns != source.Length) ThrowWrongLength(nameof(source), rows * columns, source.Length, "rows × columns");
            if (target.Length != source.Length) ThrowWrongLength(nameof(target), source.Length, target.Length, "the source's length");
            ref float s = ref MemoryMarshal.GetReference(source);
            ref float t = ref MemoryMarshal.GetReference(target);
            for (int r0 = 0; r0 < rows; r0 += 8)
            {
                int r1 = Math.Min(r0 + 8, rows);
                for (int c0 = 0; c0 < columns; c0 += 8)
                {
                    int c1 = Math.Min(c0 + 8, columns);
                    for (int r = r0; r < r1; r++)
                    {
                        ref float row = ref Unsafe.Add(ref s, (nuint)r * (nuint)columns);
                        for (int c = c0; c < c1; c++)
                            Unsafe.Add(ref t, (nuint)c * (nuint)rows + (nuint)r) = Unsafe.Add(ref row, (nuint)c);
                    }
                }
            }
        }

        /// <summary>target[i] += source[i] (the reduction of per-thread gradients); the lengths must match.</summary>
        public static void AddTo(Span<float> target, ReadOnlySpan<float> source)
        {
            if (source.Length != target.Length) ThrowWrongLength(nameof(source), target.Length, source.Length, "the target's length");
            ref float t = ref MemoryMarshal.GetReference(target);
            ref float s = ref MemoryMarshal.GetReference(source);
            // Vector<float> is the width the runtime accelerates on every platform (Vector128 on Arm64, Vector256 on
            // AVX2): never a software vector. Each element is added alone, so the width does not change the result.
            nuint n = (nuint)target.Length, i = 0, lanes = (nuint)Vector<float>.Count;
            for (; i + 4 * lanes <= n; i += 4 * lanes)
            {
                (Vector.LoadUnsafe(ref t, i) + Vector.LoadUnsafe(ref s, i)).StoreUnsafe(ref t, i);
                (Vector.LoadUnsafe(ref t, i + lanes) + Vector.LoadUnsafe(ref s, i + lanes)).StoreUnsafe(ref t, i + lanes);
                (Vector.LoadUnsafe(ref t, i + 2 * lanes) + Vector.LoadUnsafe(ref s, i + 2 * lanes)).StoreUnsafe(ref t, i + 2 * lanes);
                (Vector.LoadUnsafe(ref t, i + 3 * lanes) + Vector.LoadUnsafe(ref s, i + 3 * lanes)).StoreUnsafe(ref t, i + 3 * lanes);
            }
            for (; i + lanes <= n; i += lanes) (Vector.LoadUnsafe(ref t, i) + Vector.LoadUnsafe(ref s, i)).StoreUnsafe(ref t, i);
            for (; i < n; i++) Unsafe.Add(ref t, i) += Unsafe.Add(ref s, i);
        }

        /// <summary>a·b + c, fused (one rounding) where the CPU has FMA, otherwise a multiply and an add.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
            => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

        /// <summary>a·b + c on 16 floats, fused (AVX-512 always has FMA); a multiply and an add without AVX-512.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
            => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;

        /// <summary>a·b + c on 4 floats, fused where the CPU has FMA (x64) or AdvSimd (Arm64), otherwise a multiply and an add.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
            => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(c, a, b) : a * b + c;

        /// <summary>
        /// Whether the 4-float <see cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> is one fused
        /// instruction here (x64 with FMA, Arm64), a constant to the JIT. Generated 128-bit kernels choose their register
        /// blocks by it: without fusion each product needs a register of its own before the add.
        /// </summary>
        public static bool FusesMultiplyAdd128
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Fma.IsSupported || AdvSimd.IsSupported;
        }

        /// <summary>
        /// L1's shift toward zero: sign(w)·max(|w| − t, 0). A weight that would cross zero lands on +0 exactly, and
        /// a weight that is 0 stays 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> ShrinkTowardZero(Vector256<float> w, Vector256<float> t)
        {
            var magnitude = Vector256.Max(Vector256.Abs(w) - t, Vector256<float>.Zero);
            var sign = w & Vector256.Create(-0f);
            return (magnitude | sign) & Vector256.GreaterThan(magnitude, Vector256<float>.Zero);
        }

        /// <summary>L1's shift toward zero on 16 floats; see the 8-float overload.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> ShrinkTowardZero(Vector512<float> w, Vector512<float> t)
        {
            var magnitude = Vector512.Max(Vector512.Abs(w) - t, Vector512<float>.Zero);
            var sign = w & Vector512.Create(-0f);
            return (magnitude | sign) & Vector512.GreaterThan(magnitude, Vector512<float>.Zero);
        }

        /// <summary>L1's shift toward zero on 4 floats; see the 8-float overload.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> ShrinkTowardZero(Vector128<float> w, Vector128<float> t)
        {
            var magnitude = Vector128.Max(Vector128.Abs(w) - t, Vector128<float>.Zero);
            var sign = w & Vector128.Create(-0f);
            return (magnitude | sign) & Vector128.GreaterThan(magnitude, Vector128<float>.Zero);
        }

        /// <summary>Scalar form of <see cref="ShrinkTowardZero(Vector256{float}, Vector256{float})"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float ShrinkTowardZero(float w, float t)
        {
            float magnitude = MathF.Abs(w) - t;
            return magnitude > 0f ? MathF.CopySign(magnitude, w) : 0f;
        }

        /// <summary>
        /// True when every value is finite: x·0 is 0 for a finite x and NaN for ±∞ or NaN, so one multiply-add per
        /// value and a single test at the end (≈ 4 µs for 235,000 parameters) checks a whole buffer.
        /// </summary>
        public static bool AllFinite(ReadOnlySpan<float> values)
        {
            ref float start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
            var acc = Vector<float>.Zero;   // the accelerated width of every platform (see AddTo)
            int i = 0;
            for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
                acc += Vector.LoadUnsafe(ref start, (nuint)i) * Vector<float>.Zero;
            float tail = 0f;
            for (; i < values.Length; i++) tail += values[i] * 0f;
            return Vector.Sum(acc) + tail == 0f;
        }

        /// <summary>Index of the first NaN or infinite value, or −1 when all are finite (one vectorised pass when they are).</summary>
        public static int FirstNonFinite(ReadOnlySpan<float> values)
        {
            if (AllFinite(values)) return -1;
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i])) return i;
            return -1;
        }

        /// <summary>
        /// Throws an <see cref="ArgumentException"/> naming the example and position of the first NaN or infinite value
        /// of a training batch (<paramref name="perExample"/> values per example): one such value would reach every
        /// parameter through the gradients.
        /// </summary>
        public static void CheckFinite(ReadOnlySpan<float> values, int perExample, string name)
        {
            int bad = FirstNonFinite(values);
            if (bad >= 0) ThrowNonFinite(name, bad / perExample, bad % perExample, values[bad]);
        }

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private static void ThrowNonFinite(string name, int example, int index, float value)
            => throw new ArgumentException(
                $"{name}: example {example}, value {index} is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; training needs finite values (a NaN or infinity would reach every parameter). Nothing was changed.",
                name);

        /// <summary>Logistic sigmoid 1/(1 + e^−z), without overflow for large |z|.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sigmoid(float z)
        {
            if (z >= 0) return 1f / (1f + MathF.Exp(-z));
            float e = MathF.Exp(z);
            return e / (1f + e);
        }

        /// <summary>ln(1 + e^−|z|) + max(z, 0) − z·t: the log-loss of a sigmoid unit from its logit, stable for any z.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LogLossFromLogit(float z, float t)
            => MathF.Max(z, 0f) - z * t + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));

        /// <summary>Throws the <see cref="ArgumentException"/> for a buffer of the wrong length.</summary>
        [DoesNotReturn]
        public static void ThrowWrongLength(string parameter, int expected, int actual, string meaning)
            => throw new ArgumentException($"{parameter} has {actual} values; expected {expected} ({meaning}).", parameter);

        /// <summary>Throws the <see cref="ArgumentException"/> for a batch whose example count is outside 1..batchSize.</summary>
        [DoesNotReturn]
        public static void ThrowBatchCount(string parameter, int count, int batchSize, int valuesPerExample, int length)
            => throw new ArgumentException(
                $"{parameter} has {length} values = {count} examples of {valuesPerExample}; a batch holds 1 to {batchSize} examples.", parameter);

        /// <summary>Throws the <see cref="ArgumentException"/> for two batch buffers that disagree on the example count.</summary>
        [DoesNotReturn]
        public static void ThrowBatchMismatch(string parameter, int expected, int actual, int examples, int inputSize)
            => throw new ArgumentException(
                $"{parameter} has {actual} values; expected {expected} ({examples} examples × {inputSize} inputs).", parameter);

        /// <summary>Throws the <see cref="ArgumentOutOfRangeException"/> for a class label outside the network's outputs.</summary>
        [DoesNotReturn]
        public static void ThrowLabel(string parameter, int index, int label, int classes)
            => throw new ArgumentOutOfRangeException(parameter, label,
                $"{parameter}[{index}] is {label}; expected a class in [0, {classes}).");
    }
}
