using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CompiledNet.CompilerServices
{
    public static partial class Kernels
    {
        /// <summary>
        /// The softmax of each of <paramref name="rows"/> rows of <paramref name="classes"/> logits: probabilities[r, j] =
        /// e^(z[r, j] − m) / Σₖ e^(z[r, k] − m) with m the row's largest logit, for a whole block of rows at once. The
        /// exponentials of the block run in vectors (see <c>ExpNonPositive</c>), the maxima and sums row by row in the
        /// order j = 0, 1, …, so every value depends only on its own row: the same bits however the rows are blocked or
        /// shared among threads. Differs from a row-by-row <see cref="MathF.Exp"/> softmax by a few units in the last place.
        /// A row with a NaN or +∞ logit gives NaN probabilities.
        /// </summary>
        public static void SoftmaxRows(ReadOnlySpan<float> logits, int rows, int classes, Span<float> probabilities)
        {
            if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "The row count must not be negative.");
            if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A row has at least one class.");
            if ((long)rows * classes != logits.Length) ThrowWrongLength(nameof(logits), rows * classes, logits.Length, "rows × classes");
            if (probabilities.Length != logits.Length) ThrowWrongLength(nameof(probabilities), logits.Length, probabilities.Length, "the logits' length");
            ref float z = ref MemoryMarshal.GetReference(logits);
            ref float p = ref MemoryMarshal.GetReference(probabilities);
            for (nuint r = 0, start = 0; r < (nuint)rows; r++, start += (nuint)classes)
            {
                ref float zr = ref Unsafe.Add(ref z, start);
                ref float pr = ref Unsafe.Add(ref p, start);
                float max = zr;
                for (nuint j = 1; j < (nuint)classes; j++) max = Larger(max, Unsafe.Add(ref zr, j));   // a NaN logit still makes its row NaN, through its own exponential
                for (nuint j = 0; j < (nuint)classes; j++) Unsafe.Add(ref pr, j) = Unsafe.Add(ref zr, j) - max;
            }
            ExpNonPositive(probabilities);
            for (nuint r = 0, start = 0; r < (nuint)rows; r++, start += (nuint)classes)
            {
                ref float pr = ref Unsafe.Add(ref p, start);
                float sum = 0f;
                for (nuint j = 0; j < (nuint)classes; j++) sum += Unsafe.Add(ref pr, j);
                float inverse = 1f / sum;
                for (nuint j = 0; j < (nuint)classes; j++) Unsafe.Add(ref pr, j) *= inverse;
            }
        }

        /// <summary>
        /// values[i] = e^values[i] in place, for arguments at most 0 (a logit minus its row's maximum): below −87.34 (where
        /// e^x leaves the normal floats) the result is exactly 0, NaN stays NaN. In <see cref="Vector{T}"/> lanes (the
        /// accelerated width of every platform), the elements after the last whole vector through a padded copy, so an
        /// element's result never depends on its position. The method of Cephes' <c>expf</c> (S. L. Moshier, "Methods and
        /// Programs for Mathematical Functions", 1989): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two constants, so
        /// the reduction is exact without fused multiply-adds), a degree-6 polynomial for e^r and the exponent field set to
        /// n; plain multiplies and adds, so every CPU computes the same bits. Relative error below 2·10⁻⁷.
        /// </summary>
        private static void ExpNonPositive(Span<float> values)
        {
            ref float v = ref MemoryMarshal.GetReference(values);
            nuint n = (nuint)values.Length, lanes = (nuint)Vector<float>.Count, i = 0;
            for (; i + lanes <= n; i += lanes) ExpNonPositive(Vector.LoadUnsafe(ref v, i)).StoreUnsafe(ref v, i);
            if (i == n) return;
            Span<float> tail = stackalloc float[Vector<float>.Count];
            tail.Clear();
            values.Slice((int)i).CopyTo(tail);
            ExpNonPositive(Vector.LoadUnsafe(ref MemoryMarshal.GetReference(tail))).StoreUnsafe(ref MemoryMarshal.GetReference(tail));
            tail.Slice(0, (int)(n - i)).CopyTo(values.Slice((int)i));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> ExpNonPositive(Vector<float> x)
        {
            const float Lowest = -87.33654f;                // ln of the smallest normal float
            const float RoundingShift = 12582912f;          // 1.5 · 2²³: adding it rounds to an integer, kept in the low bits
            var nan = ~Vector.Equals(x, x);
            var underflow = Vector.LessThan(x, new Vector<float>(Lowest));
            var a = Vector.Min(Vector.Max(x, new Vector<float>(Lowest)), new Vector<float>(88f));
            var shifted = a * new Vector<float>(1.44269504088896341f) + new Vector<float>(RoundingShift);
            var k = shifted - new Vector<float>(RoundingShift);   // round(a / ln 2)
            var r = a - k * new Vector<float>(0.693359375f) - k * new Vector<float>(-2.12194440e-4f);
            var poly = new Vector<float>(1.9875691500e-4f);
            poly = poly * r + new Vector<float>(1.3981999507e-3f);
            poly = poly * r + new Vector<float>(8.3334519073e-3f);
            poly = poly * r + new Vector<float>(4.1665795894e-2f);
            poly = poly * r + new Vector<float>(1.6666665459e-1f);
            poly = poly * r + new Vector<float>(5.0000001201e-1f);
            var er = poly * (r * r) + r + Vector<float>.One;
            // 2^k: k sits in the low mantissa bits of shifted; move it, biased by 127, into the exponent field.
            var exponent = Vector.ShiftLeft(Vector.AsVectorInt32(shifted) - new Vector<int>(0x4B400000 - 127), 23);
            var result = er * Vector.AsVectorSingle(exponent);
            result = Vector.ConditionalSelect(underflow, Vector<float>.Zero, result);
            return Vector.ConditionalSelect(nan, x, result);
        }
    }
}
