using System;
using System.Numerics;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CompiledNet.CompilerServices
{
    /// <summary>The activation <see cref="Gemm.Multiply"/> applies to each result as it stores it.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public enum GemmActivation
    {
        /// <summary>The result as computed: y = x·W + b.</summary>
        Identity = 0,

        /// <summary>Rectified linear: y = max(x·W + b, 0).</summary>
        ReLU = 1,
    }

    /// <summary>
    /// Single-precision matrix product with bias and activation for batched inference:
    /// Y[rows × n] = act(X[rows × k] · W[k × n] + b), all row-major (W[i, j] at i·n + j, the layout of a dense
    /// layer's weights in a generated network). W and b are first rearranged by <see cref="Pack"/> into panels of
    /// <see cref="PanelWidth"/> columns, each panel its bias followed by its k weight rows, zero-padded on the
    /// right so that every panel is full; <see cref="Multiply"/> then computes blocks of <see cref="BlockRows"/>
    /// rows × one panel with the whole block's results in vector registers (the register blocking of
    /// K. Goto and R. A. van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3), 2008).
    /// The vector width is the widest the JIT accelerates — <see cref="Vector512"/>, else <see cref="Vector256"/>,
    /// else <see cref="Vector128"/> — fixed when the method is compiled, so the other widths' code is not even
    /// compiled. Each result is accumulated in the order b + x₀w₀ + x₁w₁ + … with one fused multiply-add per term
    /// (where the CPU has FMA), whatever the width and the block; <see cref="Multiply"/> leaves out the terms of inputs
    /// that are zero in every row of a block, which add nothing. Public for generated code; not part of the API a user
    /// programs against.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Gemm
    {
        /// <summary>Rows of X one micro-kernel call computes together (each loaded weight vector serves all of them).</summary>
        public const int BlockRows = 6;

        /// <summary>
        /// Columns per packed panel: 4 × 16 with <see cref="Vector512"/> (24 of the 32 registers hold the block's
        /// results), 2 × 8 with <see cref="Vector256"/> and 2 × 4 with <see cref="Vector128"/> (12 of 16). A matrix of
        /// at most <see cref="NarrowColumns"/> columns (an output layer of a few classes) gets panels of that many
        /// columns with <see cref="Vector512"/> instead, one vector per row, rather than three quarters of zero padding.
        /// </summary>
        public static int PanelWidth
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector512.IsHardwareAccelerated ? 64 : Vector256.IsHardwareAccelerated ? 16 : 8;
        }

        /// <summary>Columns of the narrow panels (one Vector512) that a matrix of at most this many columns is packed into.</summary>
        private const int NarrowColumns = 16;

        /// <summary>The panel width for a matrix of <paramref name="n"/> columns: <see cref="PanelWidth"/>, or one vector for a narrow one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int PanelFor(int n) => Vector512.IsHardwareAccelerated && n <= NarrowColumns ? NarrowColumns : PanelWidth;

        /// <summary>Where <see cref="Pack"/> puts weight (i, j) of a k × n matrix: panel, then the row after the panel's bias row.</summary>
        internal static int PackedIndex(int k, int n, int i, int j)
        {
            int width = PanelFor(n);
            return (j / width) * (k + 1) * width + (i + 1) * width + j % width;
        }

        /// <summary>Floats <see cref="Pack"/> writes for a k × n weight matrix and its bias.</summary>
        public static int PackedLength(int k, int n)
        {
            if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The inner dimension k must be at least 1.");
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "The column count n must be at least 1.");
            int width = PanelFor(n);
            long length = (long)((n + width - 1) / width) * (k + 1) * width;
            if (length > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(k), k, $"A packed {k} × {n} matrix would exceed {int.MaxValue} floats.");
            return (int)length;
        }

        /// <summary>
        /// Rearranges the row-major k × n <paramref name="weights"/> and the n <paramref name="bias"/> values (empty:
        /// no bias, zeros) into the panels <see cref="Multiply"/> reads; <paramref name="packed"/> needs
        /// <see cref="PackedLength"/>(k, n) floats.
        /// </summary>
        public static void Pack(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int k, int n, Span<float> packed)
        {
            int length = PackedLength(k, n);
            if (weights.Length != k * n) Kernels.ThrowWrongLength(nameof(weights), k * n, weights.Length, "k × n");
            if (bias.Length != 0 && bias.Length != n) Kernels.ThrowWrongLength(nameof(bias), n, bias.Length, "n, or 0 for no bias");
            if (packed.Length < length) Kernels.ThrowWrongLength(nameof(packed), length, packed.Length, "at least PackedLength(k, n)");
            int width = PanelFor(n);
            ref float w = ref MemoryMarshal.GetReference(weights);
            ref float target = ref MemoryMarshal.GetReference(packed);
            for (int j0 = 0; j0 < n; j0 += width)
            {
                int columns = Math.Min(width, n - j0);
                int pad = width - columns;
                if (bias.Length != 0) bias.Slice(j0, columns).CopyTo(MemoryMarshal.CreateSpan(ref target, columns));
                else MemoryMarshal.CreateSpan(ref target, columns).Clear();
                if (pad != 0) MemoryMarshal.CreateSpan(ref Unsafe.Add(ref target, columns), pad).Clear();
                target = ref Unsafe.Add(ref target, width);
                ref float row = ref Unsafe.Add(ref w, j0);
                for (int i = 0; i < k; i++)
                {
                    Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref target), ref Unsafe.As<float, byte>(ref row), (uint)columns * sizeof(float));
                    if (pad != 0) MemoryMarshal.CreateSpan(ref Unsafe.Add(ref target, columns), pad).Clear();
                    target = ref Unsafe.Add(ref target, width);
                    row = ref Unsafe.Add(ref row, n);
                }
            }
        }

        /// <summary>
        /// y[r, j] = act(Σᵢ x[r, i]·W[i, j] + b[j]) for the <paramref name="rows"/> rows of <paramref name="x"/>
        /// (k values each) into <paramref name="y"/> (n values each), W and b as packed by <see cref="Pack"/>.
        /// Allocates nothing; <paramref name="packed"/> is only read, so threads may share it. With <see cref="Vector512"/>,
        /// a block of six rows runs over only the inputs that are not zero (±0) in at least one of its rows — a blank
        /// image background, hidden units a ReLU switched off — listed once per block and reused by every panel: the
        /// terms left out are exact zeros, so the results are the same bits (but for the sign of a zero result; a weight
        /// that is NaN or infinite meets only non-zero inputs, as in a generated network's one-row Predict).
        /// </summary>
        public static void Multiply(ReadOnlySpan<float> x, int rows, int k, ReadOnlySpan<float> packed, int n, Span<float> y, GemmActivation activation)
        {
            int length = PackedLength(k, n);
            if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "The row count must not be negative.");
            if ((long)rows * k > x.Length) Kernels.ThrowWrongLength(nameof(x), rows * k, x.Length, "rows × k");
            if ((long)rows * n > y.Length) Kernels.ThrowWrongLength(nameof(y), rows * n, y.Length, "rows × n");
            if (packed.Length < length) Kernels.ThrowWrongLength(nameof(packed), length, packed.Length, "at least PackedLength(k, n)");
            if (activation is not (GemmActivation.Identity or GemmActivation.ReLU))
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Identity or ReLU.");
            if (rows == 0) return;
            MultiplyCore(ref MemoryMarshal.GetReference(x), rows, k, ref MemoryMarshal.GetReference(packed), n, ref MemoryMarshal.GetReference(y), activation == GemmActivation.ReLU, skipZeros: true);
        }

        /// <summary>
        /// <see cref="Multiply"/> after its checks: for callers in this assembly that have made them once for many products.
        /// (The edge tile is cleared at most once per call, when a partial block first reads it, not zeroed by every call.)
        /// With <paramref name="skipZeros"/>, a six-row block of 64 columns (Vector512) runs its product only over the inputs
        /// of the pass that are not zero in every one of its rows (listed once per block and pass, used by every panel):
        /// a term 0·w adds nothing to a sum (w finite), so the results are the same bits but for the sign of an exact zero.
        /// </summary>
        [SkipLocalsInit]
        internal static unsafe void MultiplyCore(ref float x0, int rows, int k, ref float p0, int n, ref float y0, bool relu, bool skipZeros = false)
        {
            int width = PanelFor(n), passes = (k + 8192 / width - 1) / (8192 / width), depth = (k + passes - 1) / passes;
            nuint panel = (nuint)(k + 1) * (nuint)width;
            bool listed = skipZeros && Vector512.IsHardwareAccelerated && width == 64;
            int* lists = stackalloc int[listed ? Stripe / BlockRows * 128 : 1]; // per block of the stripe, the inputs of the pass it runs over
            int* counts = stackalloc int[Stripe / BlockRows];
            // A block at the bottom or right edge is computed whole in this tile, its valid part copied in and out.
            Span<float> tile = stackalloc float[BlockRows * 64];
            ref float t = ref MemoryMarshal.GetReference(tile);
            bool cleared = false; // the rows of the tile below a partial block's valid ones are read (and their results dropped): finite values, never stack garbage
            for (int r0 = 0; r0 < rows; r0 += Stripe)
            {
                int stripe = Math.Min(Stripe, rows - r0);
                ref float xs = ref Unsafe.Add(ref x0, (nuint)r0 * (nuint)k);
                ref float ys = ref Unsafe.Add(ref y0, (nuint)r0 * (nuint)n);
                for (int k0 = 0; k0 < k; k0 += depth)
                {
                    int kc = Math.Min(depth, k - k0);
                    bool first = k0 == 0, activate = relu && k0 + kc == k;
                    if (listed)
                        for (int r = 0; r < stripe; r += BlockRows)
                            counts[r / BlockRows] = NonZeroInputs(ref Unsafe.Add(ref xs, (nuint)r * (nuint)k + (nuint)k0), (nuint)k, kc, Math.Min(BlockRows, stripe - r), lists + r / BlockRows * 128);
                    ref float p = ref p0;
                    for (int j0 = 0; j0 < n; j0 += width)
                    {
                        int columns = Math.Min(width, n - j0);
                        ref float w = ref Unsafe.Add(ref p, (nuint)(k0 + 1) * (nuint)width);
                        for (int r = 0; r < stripe; r += BlockRows)
                        {
                            int valid = Math.Min(BlockRows, stripe - r);
                            ref float xr = ref Unsafe.Add(ref xs, (nuint)r * (nuint)k + (nuint)k0);
                            ref float yb = ref Unsafe.Add(ref ys, (nuint)r * (nuint)n + (nuint)j0);
                            bool whole = valid == BlockRows && columns == width;
                            ref float d = ref whole ? ref yb : ref t;
                            nuint ld = whole ? (nuint)n : (nuint)width;
                            if (!whole && !first)
                            {
                                if (!cleared) tile.Clear();
                                cleared = true;
                                CopyRows(ref t, (nuint)width, ref yb, (nuint)n, valid, columns);
                            }
                            // The first depth block starts from the bias (the panel's first row, for every row of the block).
                            ref float c = ref first ? ref p : ref d;
                            nuint ldc = first ? 0 : ld;
                            if (Vector512.IsHardwareAccelerated && width == NarrowColumns) Block512Narrow(ref xr, (nuint)k, (nuint)kc, valid, ref c, ldc, ref w, ref d, ld, activate);
                            else if (Vector512.IsHardwareAccelerated && valid <= 2) Block512Two(ref xr, (nuint)k, (nuint)kc, valid, ref c, ldc, ref w, ref d, ld, activate);
                            else if (Vector512.IsHardwareAccelerated && listed && counts[r / BlockRows] < kc)
                                Block512(ref xr, (nuint)k, new ListedInputs(lists + r / BlockRows * 128, counts[r / BlockRows]), valid, ref c, ldc, ref w, ref d, ld, activate);
                            else if (Vector512.IsHardwareAccelerated) Block512(ref xr, (nuint)k, new AllInputs((nuint)kc), valid, ref c, ldc, ref w, ref d, ld, activate);
                            else if (Vector256.IsHardwareAccelerated) Block256(ref xr, (nuint)k, (nuint)kc, valid, ref c, ldc, ref w, ref d, ld, activate);
                            else Block128(ref xr, (nuint)k, (nuint)kc, valid, ref c, ldc, ref w, ref d, ld, activate);
                            if (!whole) CopyRows(ref yb, (nuint)n, ref t, (nuint)width, valid, columns);
                        }
                        p = ref Unsafe.Add(ref p, panel);
                    }
                }
            }
        }

        /// <summary>
        /// Rows per stripe: one stripe's inputs (Stripe × k) and results stay in the L2 cache while every panel passes
        /// over them; 16 blocks of rows share each part of a panel loaded into L1.
        /// </summary>
        private const int Stripe = 16 * BlockRows;

        // Weight rows per pass over the batch (Multiply's depth): at most 8192 / panel width, so that a pass's part of one
        // panel (at most 8192 floats, 32 KiB) stays in the L1 cache while every block of rows uses it, and k shared evenly
        // among the passes (784 = 7 × 112 rather than 6 × 128 + 16: a short last pass pays the loads and stores of the
        // block's results for few multiply-adds).

        /// <summary>rows × columns floats from source (row stride ls) to target (row stride lt).</summary>
        private static void CopyRows(ref float target, nuint lt, ref float source, nuint ls, int rows, int columns)
        {
            for (int row = 0; row < rows; row++)
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref target, (nuint)row * lt)),
                    ref Unsafe.As<float, byte>(ref Unsafe.Add(ref source, (nuint)row * ls)), (uint)columns * sizeof(float));
        }

        /// <summary>Row r of the block, or its last valid row for r ≥ valid (computed again, stored only to the edge tile): no remainder loop for a partial block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ref float Row(ref float x, nuint k, int valid, int r) => ref Unsafe.Add(ref x, (nuint)Math.Min(r, valid - 1) * k);

        // ---- Vector512: 6 rows × 4 vectors of 16 -------------------------------------------------------------------


        /// <summary>The inputs of a pass a block's product runs over: all of them, or a list. A struct type argument, so the JIT compiles one loop for each with nothing tested inside.</summary>
        private interface IInputs
        {
            nuint Count { get; }

            nuint At(nuint t);
        }

        /// <summary>Every input of the pass: 0, 1, …, count − 1.</summary>
        private readonly struct AllInputs : IInputs
        {
            private readonly nuint _count;

            public AllInputs(nuint count) => _count = count;

            public nuint Count => _count;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public nuint At(nuint t) => t;
        }

        /// <summary>The inputs of the pass <see cref="NonZeroInputs"/> listed, in increasing order.</summary>
        private readonly unsafe struct ListedInputs : IInputs
        {
            private readonly int* _list;
            private readonly nuint _count;

            public ListedInputs(int* list, int count)
            {
                _list = list;
                _count = (nuint)count;
            }

            public nuint Count => _count;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public nuint At(nuint t) => (nuint)_list[t];
        }

        /// <summary>
        /// Lists into <paramref name="list"/> the inputs i &lt; kc that are not zero (±0) in at least one of the block's
        /// <paramref name="valid"/> rows (a NaN is not zero), in increasing order; returns how many.
        /// </summary>
        private static unsafe int NonZeroInputs(ref float x, nuint ldx, int kc, int valid, int* list)
        {
            ref float x0 = ref x;
            ref float x1 = ref Row(ref x, ldx, valid, 1);
            ref float x2 = ref Row(ref x, ldx, valid, 2);
            ref float x3 = ref Row(ref x, ldx, valid, 3);
            ref float x4 = ref Row(ref x, ldx, valid, 4);
            ref float x5 = ref Row(ref x, ldx, valid, 5);
            int count = 0, i = 0;
            var magnitude = Vector512.Create(0x7FFF_FFFFu);
            for (; i + 16 <= kc; i += 16)
            {
                nuint at = (nuint)i;
                var any = (Vector512.LoadUnsafe(ref x0, at).AsUInt32() | Vector512.LoadUnsafe(ref x1, at).AsUInt32() | Vector512.LoadUnsafe(ref x2, at).AsUInt32()
                    | Vector512.LoadUnsafe(ref x3, at).AsUInt32() | Vector512.LoadUnsafe(ref x4, at).AsUInt32() | Vector512.LoadUnsafe(ref x5, at).AsUInt32()) & magnitude;
                ulong bits = ~Vector512.Equals(any, Vector512<uint>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                while (bits != 0)
                {
                    list[count++] = i + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                }
            }
            for (; i < kc; i++)
            {
                nuint at = (nuint)i;
                uint any = (BitConverter.SingleToUInt32Bits(Unsafe.Add(ref x0, at)) | BitConverter.SingleToUInt32Bits(Unsafe.Add(ref x1, at)) | BitConverter.SingleToUInt32Bits(Unsafe.Add(ref x2, at))
                    | BitConverter.SingleToUInt32Bits(Unsafe.Add(ref x3, at)) | BitConverter.SingleToUInt32Bits(Unsafe.Add(ref x4, at)) | BitConverter.SingleToUInt32Bits(Unsafe.Add(ref x5, at))) & 0x7FFF_FFFFu;
                if (any != 0) list[count++] = i;
            }
            return count;
        }

        private static void Block512<TInputs>(ref float x, nuint ldx, TInputs inputs, int valid, ref float c, nuint ldc, ref float w, ref float y, nuint ld, bool relu)
            where TInputs : struct, IInputs
        {
            ref float x0 = ref x;
            ref float x1 = ref Row(ref x, ldx, valid, 1);
            ref float x2 = ref Row(ref x, ldx, valid, 2);
            ref float x3 = ref Row(ref x, ldx, valid, 3);
            ref float x4 = ref Row(ref x, ldx, valid, 4);
            ref float x5 = ref Row(ref x, ldx, valid, 5);
            ref float c0r = ref c;
            ref float c1r = ref Unsafe.Add(ref c, ldc);
            ref float c2r = ref Unsafe.Add(ref c, 2 * ldc);
            ref float c3r = ref Unsafe.Add(ref c, 3 * ldc);
            ref float c4r = ref Unsafe.Add(ref c, 4 * ldc);
            ref float c5r = ref Unsafe.Add(ref c, 5 * ldc);
            var c00 = Vector512.LoadUnsafe(ref c0r, 0); var c01 = Vector512.LoadUnsafe(ref c0r, 16); var c02 = Vector512.LoadUnsafe(ref c0r, 32); var c03 = Vector512.LoadUnsafe(ref c0r, 48);
            var c10 = Vector512.LoadUnsafe(ref c1r, 0); var c11 = Vector512.LoadUnsafe(ref c1r, 16); var c12 = Vector512.LoadUnsafe(ref c1r, 32); var c13 = Vector512.LoadUnsafe(ref c1r, 48);
            var c20 = Vector512.LoadUnsafe(ref c2r, 0); var c21 = Vector512.LoadUnsafe(ref c2r, 16); var c22 = Vector512.LoadUnsafe(ref c2r, 32); var c23 = Vector512.LoadUnsafe(ref c2r, 48);
            var c30 = Vector512.LoadUnsafe(ref c3r, 0); var c31 = Vector512.LoadUnsafe(ref c3r, 16); var c32 = Vector512.LoadUnsafe(ref c3r, 32); var c33 = Vector512.LoadUnsafe(ref c3r, 48);
            var c40 = Vector512.LoadUnsafe(ref c4r, 0); var c41 = Vector512.LoadUnsafe(ref c4r, 16); var c42 = Vector512.LoadUnsafe(ref c4r, 32); var c43 = Vector512.LoadUnsafe(ref c4r, 48);
            var c50 = Vector512.LoadUnsafe(ref c5r, 0); var c51 = Vector512.LoadUnsafe(ref c5r, 16); var c52 = Vector512.LoadUnsafe(ref c5r, 32); var c53 = Vector512.LoadUnsafe(ref c5r, 48);
            nuint count = inputs.Count;
            for (nuint t = 0; t < count; t++)
            {
                nuint i = inputs.At(t);
                ref float wi = ref Unsafe.Add(ref w, i * 64);
                var w0 = Vector512.LoadUnsafe(ref wi, 0); var w1 = Vector512.LoadUnsafe(ref wi, 16); var w2 = Vector512.LoadUnsafe(ref wi, 32); var w3 = Vector512.LoadUnsafe(ref wi, 48);
                var a = Vector512.Create(Unsafe.Add(ref x0, i));
                c00 = Kernels.MultiplyAdd(a, w0, c00); c01 = Kernels.MultiplyAdd(a, w1, c01); c02 = Kernels.MultiplyAdd(a, w2, c02); c03 = Kernels.MultiplyAdd(a, w3, c03);
                a = Vector512.Create(Unsafe.Add(ref x1, i));
                c10 = Kernels.MultiplyAdd(a, w0, c10); c11 = Kernels.MultiplyAdd(a, w1, c11); c12 = Kernels.MultiplyAdd(a, w2, c12); c13 = Kernels.MultiplyAdd(a, w3, c13);
                a = Vector512.Create(Unsafe.Add(ref x2, i));
                c20 = Kernels.MultiplyAdd(a, w0, c20); c21 = Kernels.MultiplyAdd(a, w1, c21); c22 = Kernels.MultiplyAdd(a, w2, c22); c23 = Kernels.MultiplyAdd(a, w3, c23);
                a = Vector512.Create(Unsafe.Add(ref x3, i));
                c30 = Kernels.MultiplyAdd(a, w0, c30); c31 = Kernels.MultiplyAdd(a, w1, c31); c32 = Kernels.MultiplyAdd(a, w2, c32); c33 = Kernels.MultiplyAdd(a, w3, c33);
                a = Vector512.Create(Unsafe.Add(ref x4, i));
                c40 = Kernels.MultiplyAdd(a, w0, c40); c41 = Kernels.MultiplyAdd(a, w1, c41); c42 = Kernels.MultiplyAdd(a, w2, c42); c43 = Kernels.MultiplyAdd(a, w3, c43);
                a = Vector512.Create(Unsafe.Add(ref x5, i));
                c50 = Kernels.MultiplyAdd(a, w0, c50); c51 = Kernels.MultiplyAdd(a, w1, c51); c52 = Kernels.MultiplyAdd(a, w2, c52); c53 = Kernels.MultiplyAdd(a, w3, c53);
            }
            var floor = relu ? Vector512<float>.Zero : Vector512.Create(float.NegativeInfinity);
            Store512(ref y, floor, c00, c01, c02, c03);
            Store512(ref Unsafe.Add(ref y, ld), floor, c10, c11, c12, c13);
            Store512(ref Unsafe.Add(ref y, 2 * ld), floor, c20, c21, c22, c23);
            Store512(ref Unsafe.Add(ref y, 3 * ld), floor, c30, c31, c32, c33);
            Store512(ref Unsafe.Add(ref y, 4 * ld), floor, c40, c41, c42, c43);
            Store512(ref Unsafe.Add(ref y, 5 * ld), floor, c50, c51, c52, c53);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store512(ref float y, Vector512<float> floor, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
        {
            v0 = Vector512.Max(v0, floor); v1 = Vector512.Max(v1, floor); v2 = Vector512.Max(v2, floor); v3 = Vector512.Max(v3, floor);
            v0.StoreUnsafe(ref y, 0); v1.StoreUnsafe(ref y, 16); v2.StoreUnsafe(ref y, 32); v3.StoreUnsafe(ref y, 48);
        }

        // ---- Vector512, the last one or two rows: 2 rows × 4 vectors of 16 ------------------------------------------
        // (8 independent sums keep both FMA units busy, so one or two rows cost a third of a six-row block, not all of it)

        private static void Block512Two(ref float x, nuint ldx, nuint kc, int valid, ref float c, nuint ldc, ref float w, ref float y, nuint ld, bool relu)
        {
            ref float x0 = ref x;
            ref float x1 = ref Row(ref x, ldx, valid, 1);
            ref float c1r = ref Unsafe.Add(ref c, ldc);
            var c00 = Vector512.LoadUnsafe(ref c, 0); var c01 = Vector512.LoadUnsafe(ref c, 16); var c02 = Vector512.LoadUnsafe(ref c, 32); var c03 = Vector512.LoadUnsafe(ref c, 48);
            var c10 = Vector512.LoadUnsafe(ref c1r, 0); var c11 = Vector512.LoadUnsafe(ref c1r, 16); var c12 = Vector512.LoadUnsafe(ref c1r, 32); var c13 = Vector512.LoadUnsafe(ref c1r, 48);
            for (nuint i = 0; i < kc; i++)
            {
                var w0 = Vector512.LoadUnsafe(ref w, 0); var w1 = Vector512.LoadUnsafe(ref w, 16); var w2 = Vector512.LoadUnsafe(ref w, 32); var w3 = Vector512.LoadUnsafe(ref w, 48);
                var a = Vector512.Create(Unsafe.Add(ref x0, i));
                c00 = Kernels.MultiplyAdd(a, w0, c00); c01 = Kernels.MultiplyAdd(a, w1, c01); c02 = Kernels.MultiplyAdd(a, w2, c02); c03 = Kernels.MultiplyAdd(a, w3, c03);
                a = Vector512.Create(Unsafe.Add(ref x1, i));
                c10 = Kernels.MultiplyAdd(a, w0, c10); c11 = Kernels.MultiplyAdd(a, w1, c11); c12 = Kernels.MultiplyAdd(a, w2, c12); c13 = Kernels.MultiplyAdd(a, w3, c13);
                w = ref Unsafe.Add(ref w, 64);
            }
            var floor = relu ? Vector512<float>.Zero : Vector512.Create(float.NegativeInfinity);
            Store512(ref y, floor, c00, c01, c02, c03);
            Store512(ref Unsafe.Add(ref y, ld), floor, c10, c11, c12, c13);
        }

        // ---- Vector512, narrow panels (n ≤ 16): 6 rows × 1 vector of 16 ----------------------------------------------

        private static void Block512Narrow(ref float x, nuint ldx, nuint kc, int valid, ref float c, nuint ldc, ref float w, ref float y, nuint ld, bool relu)
        {
            ref float x0 = ref x;
            ref float x1 = ref Row(ref x, ldx, valid, 1);
            ref float x2 = ref Row(ref x, ldx, valid, 2);
            ref float x3 = ref Row(ref x, ldx, valid, 3);
            ref float x4 = ref Row(ref x, ldx, valid, 4);
            ref float x5 = ref Row(ref x, ldx, valid, 5);
            var c0 = Vector512.LoadUnsafe(ref c);
            var c1 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, ldc));
            var c2 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 2 * ldc));
            var c3 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 3 * ldc));
            var c4 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 4 * ldc));
            var c5 = Vector512.LoadUnsafe(ref Unsafe.Add(ref c, 5 * ldc));
            for (nuint i = 0; i < kc; i++)
            {
                var w0 = Vector512.LoadUnsafe(ref w);
                c0 = Kernels.MultiplyAdd(Vector512.Create(Unsafe.Add(ref x0, i)), w0, c0);
                c1 = Kernels.MultiplyAdd(Vector512.Create(Unsafe.Add(ref x1, i)), w0, c1);
                c2 = Kernels.MultiplyAdd(Vector512.Create(Unsafe.Add(ref x2, i)), w0, c2);
                c3 = Kernels.MultiplyAdd(Vector512.Create(Unsafe.Add(ref x3, i)), w0, c3);
                c4 = Kernels.MultiplyAdd(Vector512.Create(Unsafe.Add(ref x4, i)), w0, c4);
                c5 = Kernels.MultiplyAdd(Vector512.Create(Unsafe.Add(ref x5, i)), w0, c5);
                w = ref Unsafe.Add(ref w, 16);
            }
            var floor = relu ? Vector512<float>.Zero : Vector512.Create(float.NegativeInfinity);
            Vector512.Max(c0, floor).StoreUnsafe(ref y);
            Vector512.Max(c1, floor).StoreUnsafe(ref Unsafe.Add(ref y, ld));
            Vector512.Max(c2, floor).StoreUnsafe(ref Unsafe.Add(ref y, 2 * ld));
            Vector512.Max(c3, floor).StoreUnsafe(ref Unsafe.Add(ref y, 3 * ld));
            Vector512.Max(c4, floor).StoreUnsafe(ref Unsafe.Add(ref y, 4 * ld));
            Vector512.Max(c5, floor).StoreUnsafe(ref Unsafe.Add(ref y, 5 * ld));
        }

        // ---- Vector256: 6 rows × 2 vectors of 8 --------------------------------------------------------------------


        private static void Block256(ref float x, nuint ldx, nuint kc, int valid, ref float c, nuint ldc, ref float w, ref float y, nuint ld, bool relu)
        {
            ref float x0 = ref x;
            ref float x1 = ref Row(ref x, ldx, valid, 1);
            ref float x2 = ref Row(ref x, ldx, valid, 2);
            ref float x3 = ref Row(ref x, ldx, valid, 3);
            ref float x4 = ref Row(ref x, ldx, valid, 4);
            ref float x5 = ref Row(ref x, ldx, valid, 5);
            ref float c0r = ref c;
            ref float c1r = ref Unsafe.Add(ref c, ldc);
            ref float c2r = ref Unsafe.Add(ref c, 2 * ldc);
            ref float c3r = ref Unsafe.Add(ref c, 3 * ldc);
            ref float c4r = ref Unsafe.Add(ref c, 4 * ldc);
            ref float c5r = ref Unsafe.Add(ref c, 5 * ldc);
            var c00 = Vector256.LoadUnsafe(ref c0r, 0); var c01 = Vector256.LoadUnsafe(ref c0r, 8);
            var c10 = Vector256.LoadUnsafe(ref c1r, 0); var c11 = Vector256.LoadUnsafe(ref c1r, 8);
            var c20 = Vector256.LoadUnsafe(ref c2r, 0); var c21 = Vector256.LoadUnsafe(ref c2r, 8);
            var c30 = Vector256.LoadUnsafe(ref c3r, 0); var c31 = Vector256.LoadUnsafe(ref c3r, 8);
            var c40 = Vector256.LoadUnsafe(ref c4r, 0); var c41 = Vector256.LoadUnsafe(ref c4r, 8);
            var c50 = Vector256.LoadUnsafe(ref c5r, 0); var c51 = Vector256.LoadUnsafe(ref c5r, 8);
            for (nuint i = 0; i < kc; i++)
            {
                var w0 = Vector256.LoadUnsafe(ref w, 0); var w1 = Vector256.LoadUnsafe(ref w, 8);
                var a = Vector256.Create(Unsafe.Add(ref x0, i));
                c00 = Kernels.MultiplyAdd(a, w0, c00); c01 = Kernels.MultiplyAdd(a, w1, c01);
                a = Vector256.Create(Unsafe.Add(ref x1, i));
                c10 = Kernels.MultiplyAdd(a, w0, c10); c11 = Kernels.MultiplyAdd(a, w1, c11);
                a = Vector256.Create(Unsafe.Add(ref x2, i));
                c20 = Kernels.MultiplyAdd(a, w0, c20); c21 = Kernels.MultiplyAdd(a, w1, c21);
                a = Vector256.Create(Unsafe.Add(ref x3, i));
                c30 = Kernels.MultiplyAdd(a, w0, c30); c31 = Kernels.MultiplyAdd(a, w1, c31);
                a = Vector256.Create(Unsafe.Add(ref x4, i));
                c40 = Kernels.MultiplyAdd(a, w0, c40); c41 = Kernels.MultiplyAdd(a, w1, c41);
                a = Vector256.Create(Unsafe.Add(ref x5, i));
                c50 = Kernels.MultiplyAdd(a, w0, c50); c51 = Kernels.MultiplyAdd(a, w1, c51);
                w = ref Unsafe.Add(ref w, 16);
            }
            var floor = relu ? Vector256<float>.Zero : Vector256.Create(float.NegativeInfinity);
            Store256(ref y, floor, c00, c01);
            Store256(ref Unsafe.Add(ref y, ld), floor, c10, c11);
            Store256(ref Unsafe.Add(ref y, 2 * ld), floor, c20, c21);
            Store256(ref Unsafe.Add(ref y, 3 * ld), floor, c30, c31);
            Store256(ref Unsafe.Add(ref y, 4 * ld), floor, c40, c41);
            Store256(ref Unsafe.Add(ref y, 5 * ld), floor, c50, c51);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store256(ref float y, Vector256<float> floor, Vector256<float> v0, Vector256<float> v1)
        {
            v0 = Vector256.Max(v0, floor); v1 = Vector256.Max(v1, floor);
            v0.StoreUnsafe(ref y, 0); v1.StoreUnsafe(ref y, 8);
        }

        // ---- Vector128: 6 rows × 2 vectors of 4 --------------------------------------------------------------------


        private static void Block128(ref float x, nuint ldx, nuint kc, int valid, ref float c, nuint ldc, ref float w, ref float y, nuint ld, bool relu)
        {
            ref float x0 = ref x;
            ref float x1 = ref Row(ref x, ldx, valid, 1);
            ref float x2 = ref Row(ref x, ldx, valid, 2);
            ref float x3 = ref Row(ref x, ldx, valid, 3);
            ref float x4 = ref Row(ref x, ldx, valid, 4);
            ref float x5 = ref Row(ref x, ldx, valid, 5);
            ref float c0r = ref c;
            ref float c1r = ref Unsafe.Add(ref c, ldc);
            ref float c2r = ref Unsafe.Add(ref c, 2 * ldc);
            ref float c3r = ref Unsafe.Add(ref c, 3 * ldc);
            ref float c4r = ref Unsafe.Add(ref c, 4 * ldc);
            ref float c5r = ref Unsafe.Add(ref c, 5 * ldc);
            var c00 = Vector128.LoadUnsafe(ref c0r, 0); var c01 = Vector128.LoadUnsafe(ref c0r, 4);
            var c10 = Vector128.LoadUnsafe(ref c1r, 0); var c11 = Vector128.LoadUnsafe(ref c1r, 4);
            var c20 = Vector128.LoadUnsafe(ref c2r, 0); var c21 = Vector128.LoadUnsafe(ref c2r, 4);
            var c30 = Vector128.LoadUnsafe(ref c3r, 0); var c31 = Vector128.LoadUnsafe(ref c3r, 4);
            var c40 = Vector128.LoadUnsafe(ref c4r, 0); var c41 = Vector128.LoadUnsafe(ref c4r, 4);
            var c50 = Vector128.LoadUnsafe(ref c5r, 0); var c51 = Vector128.LoadUnsafe(ref c5r, 4);
            for (nuint i = 0; i < kc; i++)
            {
                var w0 = Vector128.LoadUnsafe(ref w, 0); var w1 = Vector128.LoadUnsafe(ref w, 4);
                var a = Vector128.Create(Unsafe.Add(ref x0, i));
                c00 = Kernels.MultiplyAdd(a, w0, c00); c01 = Kernels.MultiplyAdd(a, w1, c01);
                a = Vector128.Create(Unsafe.Add(ref x1, i));
                c10 = Kernels.MultiplyAdd(a, w0, c10); c11 = Kernels.MultiplyAdd(a, w1, c11);
                a = Vector128.Create(Unsafe.Add(ref x2, i));
                c20 = Kernels.MultiplyAdd(a, w0, c20); c21 = Kernels.MultiplyAdd(a, w1, c21);
                a = Vector128.Create(Unsafe.Add(ref x3, i));
                c30 = Kernels.MultiplyAdd(a, w0, c30); c31 = Kernels.MultiplyAdd(a, w1, c31);
                a = Vector128.Create(Unsafe.Add(ref x4, i));
                c40 = Kernels.MultiplyAdd(a, w0, c40); c41 = Kernels.MultiplyAdd(a, w1, c41);
                a = Vector128.Create(Unsafe.Add(ref x5, i));
                c50 = Kernels.MultiplyAdd(a, w0, c50); c51 = Kernels.MultiplyAdd(a, w1, c51);
                w = ref Unsafe.Add(ref w, 8);
            }
            var floor = relu ? Vector128<float>.Zero : Vector128.Create(float.NegativeInfinity);
            Store128(ref y, floor, c00, c01);
            Store128(ref Unsafe.Add(ref y, ld), floor, c10, c11);
            Store128(ref Unsafe.Add(ref y, 2 * ld), floor, c20, c21);
            Store128(ref Unsafe.Add(ref y, 3 * ld), floor, c30, c31);
            Store128(ref Unsafe.Add(ref y, 4 * ld), floor, c40, c41);
            Store128(ref Unsafe.Add(ref y, 5 * ld), floor, c50, c51);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store128(ref float y, Vector128<float> floor, Vector128<float> v0, Vector128<float> v1)
        {
            v0 = Vector128.Max(v0, floor); v1 = Vector128.Max(v1, floor);
            v0.StoreUnsafe(ref y, 0); v1.StoreUnsafe(ref y, 4);
        }
    }
}
