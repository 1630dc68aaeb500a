using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The register-blocked inner kernels. All sizes are constants of the network, so every loop bound and every
    /// tail is decided here: full 8-float vectors in chunks of several accumulators, then leftover single vectors,
    /// then the last (units mod 8) columns as scalar accumulators. No runtime remainder loops over a layer's width.
    /// </summary>
    internal static class KernelEmitter
    {
        /// <summary>
        /// C[k, o] = init(k, o) + Σ_red A[k, red] · B[red, o] for k in [0, rows), o in [0, width): <paramref name="rows"/>
        /// output rows at once, <paramref name="vectors"/> accumulators of 8 columns per row. B rows are contiguous
        /// along o. The caller has declared the refs that <paramref name="cRow"/> names.
        /// </summary>
        public static void BlockedProduct(
            IndentedWriter w,
            int rows,
            int vectors,
            int width,
            string reductionLoop,
            Func<int, string> aScalar,
            string bBase,
            string bRowOffset,
            Func<int, string> cRow,
            string? initBase)
        {
            int full = width / 8;
            int chunks = full / vectors;
            int leftover = full % vectors;
            int tail = width % 8;

            if (chunks > 0)
            {
                using (w.Open($"for (nuint o = 0; o < {Int(chunks * vectors * 8)}; o += {Int(vectors * 8)})"))
                    Chunk(w, rows, vectors, reductionLoop, aScalar, bBase, bRowOffset, cRow, initBase, "o");
            }
            for (int v = 0; v < leftover; v++)
            {
                string offset = Int((chunks * vectors + v) * 8);
                w.Line($"// columns [{offset}..{Int((chunks * vectors + v + 1) * 8)}): one vector per row");
                using (w.Open())
                    Chunk(w, rows, 1, reductionLoop, aScalar, bBase, bRowOffset, cRow, initBase, offset);
            }
            if (tail > 0)
            {
                int start = full * 8;
                w.Line($"// columns [{Int(start)}..{Int(width)}): the last {Int(tail)}, scalar");
                using (w.Open())
                {
                    for (int k = 0; k < rows; k++)
                        for (int t = 0; t < tail; t++)
                            w.Line($"float s{k}_{t} = {(initBase is null ? "0f" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {initBase}, {Int(start + t)})")};");
                    using (w.Open(reductionLoop))
                    {
                        w.Line($"ref float bRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {bBase}, {bRowOffset} + {Int(start)});");
                        for (int k = 0; k < rows; k++)
                        {
                            w.Line($"float av{k} = {aScalar(k)};");
                            for (int t = 0; t < tail; t++)
                                w.Line($"s{k}_{t} += av{k} * global::System.Runtime.CompilerServices.Unsafe.Add(ref bRow, {Int(t)});");
                        }
                    }
                    for (int k = 0; k < rows; k++)
                        for (int t = 0; t < tail; t++)
                            w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {cRow(k)}, {Int(start + t)}) = s{k}_{t};");
                }
            }
        }

        /// <summary>
        /// The same product for <c>count</c> rows (a runtime value) with the column strips outermost: for each strip of
        /// <paramref name="vectors"/>·8 columns, every block of <paramref name="blockRows"/> rows, then each leftover
        /// row, runs its reduction over that strip of B. A strip of B (reduction length × 16 floats: 50 KB for 784
        /// inputs) stays in L1 while all rows pass over it, instead of all of B being streamed once per row block.
        /// <paramref name="declareRows"/> declares the row refs that <paramref name="aScalar"/> and <paramref name="cRow"/>
        /// name, for the rows starting at <c>r</c>. Each output element sums in the same order as in
        /// <see cref="BlockedProduct"/>, so results are identical.
        /// </summary>
        public static void StripProduct(
            IndentedWriter w,
            int blockRows,
            int vectors,
            int width,
            string reductionLoop,
            Func<int, string> aScalar,
            string bBase,
            string bRowOffset,
            Func<int, string> cRow,
            string? initBase,
            Action<int> declareRows,
            bool rowBlocks = true)
        {
            int full = width / 8;
            int chunks = full / vectors;
            int leftover = full % vectors;
            int tail = width % 8;

            void Rows(string o, int strip)
            {
                w.Line("int r = 0;");
                if (rowBlocks)
                    using (w.Open($"for (; r + {Int(blockRows)} <= count; r += {Int(blockRows)})"))
                    {
                        declareRows(blockRows);
                        Chunk(w, blockRows, strip, reductionLoop, aScalar, bBase, bRowOffset, cRow, initBase, o);
                    }
                using (w.Open("for (; r < count; r++)"))
                {
                    declareRows(1);
                    Chunk(w, 1, strip, reductionLoop, aScalar, bBase, bRowOffset, cRow, initBase, o);
                }
            }

            if (chunks > 0)
            {
                w.Line($"// column strips of {Int(vectors * 8)}, each passed over by every row");
                using (w.Open($"for (nuint o = 0; o < {Int(chunks * vectors * 8)}; o += {Int(vectors * 8)})"))
                    Rows("o", vectors);
            }
            for (int v = 0; v < leftover; v++)
            {
                string offset = Int((chunks * vectors + v) * 8);
                w.Line($"// columns [{offset}..{Int((chunks * vectors + v + 1) * 8)}): one vector per row");
                using (w.Open())
                    Rows(offset, 1);
            }
            if (tail > 0)
            {
                int start = full * 8;
                w.Line($"// columns [{Int(start)}..{Int(width)}): the last {Int(tail)}, scalar, row by row");
                using (w.Open("for (int r = 0; r < count; r++)"))
                {
                    declareRows(1);
                    for (int t = 0; t < tail; t++)
                        w.Line($"float s0_{t} = {(initBase is null ? "0f" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {initBase}, {Int(start + t)})")};");
                    using (w.Open(reductionLoop))
                    {
                        w.Line($"ref float bRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {bBase}, {bRowOffset} + {Int(start)});");
                        w.Line($"float av0 = {aScalar(0)};");
                        for (int t = 0; t < tail; t++)
                            w.Line($"s0_{t} += av0 * global::System.Runtime.CompilerServices.Unsafe.Add(ref bRow, {Int(t)});");
                    }
                    for (int t = 0; t < tail; t++)
                        w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {cRow(0)}, {Int(start + t)}) = s0_{t};");
                }
            }
        }

        private static void Chunk(IndentedWriter w, int rows, int vectors, string reductionLoop, Func<int, string> aScalar,
            string bBase, string bRowOffset, Func<int, string> cRow, string? initBase, string o)
        {
            for (int v = 0; v < vectors; v++)
            {
                string at = v == 0 ? o : $"{o} + {Int(v * 8)}";
                string init = initBase is null ? "global::System.Runtime.Intrinsics.Vector256<float>.Zero" : $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {initBase}, {at})";
                for (int k = 0; k < rows; k++)
                    w.Line($"var c{k}_{v} = {init};");
            }
            using (w.Open(reductionLoop))
            {
                w.Line($"ref float bRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {bBase}, {bRowOffset} + {o});");
                for (int v = 0; v < vectors; v++)
                    w.Line($"var bv{v} = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref bRow, {Int(v * 8)});");
                for (int k = 0; k < rows; k++)
                {
                    w.Line($"var av{k} = global::System.Runtime.Intrinsics.Vector256.Create({aScalar(k)});");
                    for (int v = 0; v < vectors; v++)
                        w.Line($"c{k}_{v} = global::CompiledNet.CompilerServices.Kernels.MultiplyAdd(av{k}, bv{v}, c{k}_{v});");
                }
            }
            for (int k = 0; k < rows; k++)
                for (int v = 0; v < vectors; v++)
                    w.Line($"global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(c{k}_{v}, ref {cRow(k)}, {(v == 0 ? o : $"{o} + {Int(v * 8)}")});");
        }

        /// <summary>
        /// Dot products along a contiguous axis of constant length <paramref name="length"/>:
        /// C[k][j] = Σ_o A_k[o] · B_j[o] for <paramref name="rows"/> A rows and <paramref name="columns"/> B rows,
        /// vector accumulators over full 8-float blocks, then a horizontal sum and the scalar tail.
        /// </summary>
        public static void Dots(IndentedWriter w, int rows, int columns, int length,
            Func<int, string> aRow, Func<int, string> bRow, Func<int, int, string> store)
        {
            int full = length / 8;
            if (full > 0)
            {
                for (int k = 0; k < rows; k++)
                    for (int j = 0; j < columns; j++)
                        w.Line($"var acc{k}_{j} = global::System.Runtime.Intrinsics.Vector256<float>.Zero;");
                using (w.Open($"for (nuint o = 0; o < {Int(full * 8)}; o += 8)"))
                {
                    for (int j = 0; j < columns; j++)
                        w.Line($"var bv{j} = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {bRow(j)}, o);");
                    for (int k = 0; k < rows; k++)
                    {
                        w.Line($"var av{k} = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {aRow(k)}, o);");
                        for (int j = 0; j < columns; j++)
                            w.Line($"acc{k}_{j} = global::CompiledNet.CompilerServices.Kernels.MultiplyAdd(av{k}, bv{j}, acc{k}_{j});");
                    }
                }
            }
            for (int k = 0; k < rows; k++)
                for (int j = 0; j < columns; j++)
                {
                    string sum = full > 0 ? $"global::System.Runtime.Intrinsics.Vector256.Sum(acc{k}_{j})" : "0f";
                    for (int t = full * 8; t < length; t++)
                        sum += $" + global::System.Runtime.CompilerServices.Unsafe.Add(ref {aRow(k)}, {Int(t)}) * global::System.Runtime.CompilerServices.Unsafe.Add(ref {bRow(j)}, {Int(t)})";
                    w.Line(store(k, j) + " = " + sum + ";");
                }
        }
    
        /// <summary>
        /// Column sums over <c>rows</c> rows of a row-major matrix of constant <paramref name="width"/>:
        /// C[o] = Σ_r B[r, o] (the bias gradient), vectors of 8 columns, then the scalar tail.
        /// </summary>
        public static void ColumnSums(IndentedWriter w, int width, string bBase, string cBase)
        {
            const int Block = 4;
            int full = width / 8;
            int chunks = full / Block, leftover = full % Block;
            if (chunks > 0)
            {
                using (w.Open($"for (nuint o = 0; o < {Int(chunks * Block * 8)}; o += {Int(Block * 8)})"))
                    ColumnSumBlock(w, Block, width, bBase, cBase, "o");
            }
            if (leftover > 0)
            {
                using (w.Open())
                    ColumnSumBlock(w, leftover, width, bBase, cBase, Int(chunks * Block * 8));
            }
            if (width % 8 != 0)
            {
                using (w.Open())
                {
                    for (int t = full * 8; t < width; t++)
                        w.Line($"float s{Int(t)} = 0f;");
                    using (w.Open("for (nuint r = 0; r < rows; r++)"))
                    {
                        w.Line($"ref float bRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {bBase}, r * {Int(width)});");
                        for (int t = full * 8; t < width; t++)
                            w.Line($"s{Int(t)} += global::System.Runtime.CompilerServices.Unsafe.Add(ref bRow, {Int(t)});");
                    }
                    for (int t = full * 8; t < width; t++)
                        w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {cBase}, {Int(t)}) = s{Int(t)};");
                }
            }
        }

        private static void ColumnSumBlock(IndentedWriter w, int vectors, int width, string bBase, string cBase, string o)
        {
            for (int k = 0; k < vectors; k++)
                w.Line($"var c{k} = global::System.Runtime.Intrinsics.Vector256<float>.Zero;");
            using (w.Open("for (nuint r = 0; r < rows; r++)"))
            {
                w.Line($"ref float bRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {bBase}, r * {Int(width)});");
                for (int k = 0; k < vectors; k++)
                    w.Line($"c{k} += global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref bRow, {o}{(k == 0 ? "" : " + " + Int(k * 8))});");
            }
            for (int k = 0; k < vectors; k++)
                w.Line($"global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(c{k}, ref {cBase}, {o}{(k == 0 ? "" : " + " + Int(k * 8))});");
        }
    }
}
