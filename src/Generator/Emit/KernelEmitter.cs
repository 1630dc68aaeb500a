using System;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The register-blocked inner kernels. All sizes are constants of the network, so every loop bound and every
    /// tail is decided here: full vectors in chunks of several accumulators, then the vectors left over as one narrower chunk,
    /// then the last (units mod lanes) columns as scalar accumulators. No runtime remainder loops over a layer's width.
    /// </summary>
    internal static class KernelEmitter
    {
        /// <summary>One product C[k, o] = init(k, o) + Σ_red A[k, red] · B[red, o]: how its operands are named and read.</summary>
        public sealed class Product
        {
            public Product(string reductionLoop, Func<int, string> aScalar, string bBase, string bRowOffset, Func<int, string> cRow, string? initBase, bool accumulate = false)
            {
                Accumulate = accumulate;
                ReductionLoop = reductionLoop;
                AScalar = aScalar;
                BBase = bBase;
                BRowOffset = bRowOffset;
                CRow = cRow;
                InitBase = initBase;
            }

            /// <summary>The loop header over the reduction index.</summary>
            public string ReductionLoop { get; }

            /// <summary>A[k, red] of block row k, a float expression.</summary>
            public Func<int, string> AScalar { get; }

            /// <summary>The ref of B and the offset of B's row red (B rows are contiguous along o).</summary>
            public string BBase { get; }

            public string BRowOffset { get; }

            /// <summary>The ref of C's block row k (declared by the caller).</summary>
            public Func<int, string> CRow { get; }

            /// <summary>The ref C starts from (a bias row), or null for 0.</summary>
            public string? InitBase { get; }

            /// <summary>C += A·B: each row of C starts from its current values (<see cref="InitBase"/> is then ignored).</summary>
            public bool Accumulate { get; }

            /// <summary>
            /// What is stored for row k's finished sum (an element-wise expression of it, rendered for the store's vector
            /// width or as a scalar), or null to store the sum itself: lets the pass after the product (bias, activation)
            /// run on the registers instead of reading C back.
            /// </summary>
            public Func<int, Expr, Expr>? Epilogue { get; set; }

            /// <summary>The stored form of row <paramref name="k"/>'s sum <paramref name="sum"/> in <paramref name="lane"/>.</summary>
            public string Stored(int k, string sum, Lane lane) => Epilogue is null ? sum : Epilogue(k, Expr.Local(sum)).Render(lane);

            /// <summary>The start of C's row <paramref name="k"/> at <paramref name="index"/>: its current value, the bias row's, or 0.</summary>
            public string Init(VectorWidth vw, int k, string index)
                => Accumulate ? vw.Load(CRow(k), index) : InitBase is null ? vw.Zero : vw.Load(InitBase, index);

            /// <summary>The scalar start of C's row <paramref name="k"/> at column <paramref name="at"/>.</summary>
            public string InitScalar(int k, int at)
                => Accumulate ? Refs.At(CRow(k), at) : InitBase is null ? "0f" : Refs.At(InitBase, at);
        }

        /// <summary>
        /// The product for k in [0, rows), o in [0, width): <paramref name="rows"/> output rows at once,
        /// <paramref name="vectors"/> accumulators of one vector per row.
        /// </summary>
        public static void BlockedProduct(IndentedWriter w, VectorWidth vw, int rows, int vectors, int width, Product p)
        {
            int lanes = vw.Lanes;
            int full = width / lanes, chunks = full / vectors, leftover = full % vectors;
            if (full > 0) Legend(w, vw, rows, Math.Min(vectors, full));
            ChunkLoop(w, chunks, vectors * lanes, (o, c) => Chunk(w, vw, rows, vectors, p, o, c));
            if (leftover > 0)
            {
                int offset = chunks * vectors * lanes;
                w.Line($"// columns [{Int(offset)}..{Int(offset + leftover * lanes)}): {VectorsPerRow(leftover)}");
                using (w.Open())
                    Chunk(w, vw, rows, leftover, p, null, offset);
            }
            int start = full * lanes;
            foreach (var narrow in vw.Narrower)
                if (width - start >= narrow.Lanes)
                {
                    w.Line($"// columns [{Int(start)}..{Int(start + narrow.Lanes)}): one {narrow} per row");
                    using (w.Open())
                        Chunk(w, narrow, rows, 1, p, null, start);
                    start += narrow.Lanes;
                }
            if (start < width)
            {
                w.Line($"// columns [{Int(start)}..{Int(width)}): the last {Int(width - start)}, scalar");
                using (w.Open())
                    ScalarTail(w, rows, start, width - start, p);
            }
        }

        /// <summary>
        /// Writes a training product for the vectors per row of its register block (<paramref name="product"/> takes
        /// them): <see cref="VectorWidth.BlockVectors"/>, or, for a width that may lack fused multiply-add, both blocks
        /// under <see cref="VectorWidth.FusedCondition"/> (a JIT-time constant: the JIT keeps one). Every output sums the
        /// same terms in the same order whatever the block, so both give the same bits.
        /// </summary>
        /// <param name="width">The product's columns: where they are no more vectors than the smaller block, both blocks are the same and one is written.</param>
        /// <param name="scoped">Whether the product gets a block of its own (the branches are blocks anyway).</param>
        public static void ByRegisterBlock(IndentedWriter w, VectorWidth vw, int width, bool scoped, Action<int> product)
        {
            if (vw.FusedCondition is not { } fused || width / vw.Lanes <= vw.BlockVectorsWithoutFma)
            {
                if (!scoped) product(vw.BlockVectors);
                else using (w.Open()) product(vw.BlockVectors);
                return;
            }
            w.Line($"// {Int(vw.BlockVectors)} vectors per row where the CPU fuses multiply-add (x64 with FMA, Arm64), {Int(vw.BlockVectorsWithoutFma)} without (the block would spill): the JIT compiles only the branch this CPU takes");
            using (w.Open($"if ({fused})"))
                product(vw.BlockVectors);
            using (w.Open("else"))
                product(vw.BlockVectorsWithoutFma);
        }

        /// <summary>Accumulators of one row's product (<see cref="RowProduct"/>): 24 of AVX-512's 32 registers, 12 of 16 elsewhere.</summary>
        public static int RowVectors(VectorWidth vw) => vw.Registers >= 32 ? 24 : 12;

        /// <summary>
        /// One row's product for inference, y[o] = init(o) + Σᵢ x[i] · W[i, o] for o in [0, <paramref name="width"/>), W row-major
        /// (<paramref name="width"/> floats per input, at ref <paramref name="weights"/>). Bound by reading W, so it reads W as
        /// few times as the registers allow: as many accumulators as fit (<see cref="RowVectors"/>) cover the columns in one
        /// pass where they can, so that every weight row is read contiguously; and inputs that are exactly zero (the pixels of a
        /// blank background, the units ReLU switched off) add nothing, so their weight rows are not read at all: a mask of the
        /// non-zero inputs per vector of inputs, then its set bits in ascending order. Every output sums the same terms in the
        /// same order as the dense loop, so the results are the same bits, except that a weight row that is not read cannot
        /// turn a zero input into NaN (0 · ∞) and a sum that is −0 stays −0.
        /// </summary>
        public static void RowProduct(IndentedWriter w, VectorWidth vw, int inputs, int width, string x, string weights, string? init, string target)
        {
            int lanes = vw.Lanes;
            int full = width / lanes;
            int max = RowVectors(vw);
            int passes = (full + max - 1) / max;
            int vectors = passes == 0 ? 0 : (full + passes - 1) / passes;
            int chunks = vectors == 0 ? 0 : full / vectors, leftover = vectors == 0 ? 0 : full % vectors;
            int scanned = inputs / lanes * lanes;
            string mask = lanes == 32 ? "0xFFFFFFFFu" : "0x" + ((1L << lanes) - 1).ToString("X", System.Globalization.CultureInfo.InvariantCulture) + "u";

            void Pass(string? o, int offset, int count)
            {
                for (int v = 0; v < count; v++)
                    w.Line($"var c{v} = {(init is null ? vw.Zero : vw.Load(init, Refs.Index(o, offset + v * lanes)))};");
                void Terms(string i)
                {
                    w.Line($"ref float bRow = ref {Refs.At(weights, Refs.Plus($"{i} * {Int(width)}", o, offset))};");
                    w.Line($"var av = {vw.Create(Refs.At(x, i))};");
                    for (int v = 0; v < count; v++)
                        w.Line($"c{v} = global::CompiledNet.CompilerServices.Kernels.MultiplyAdd(av, {vw.Load("bRow", Int(v * lanes))}, c{v});");
                }
                if (scanned > 0)
                    using (w.Open($"for (nuint i0 = 0; i0 < {Int(scanned)}; i0 += {Int(lanes)})"))
                    {
                        w.Line($"uint nonZero = ~(uint){vw.Call("ExtractMostSignificantBits", vw.Call("Equals", vw.Load(x, "i0"), vw.Zero))} & {mask};");
                        using (w.Open("while (nonZero != 0)"))
                        {
                            w.Line("nuint i = i0 + (nuint)global::System.Numerics.BitOperations.TrailingZeroCount(nonZero);");
                            w.Line("nonZero &= nonZero - 1;");
                            Terms("i");
                        }
                    }
                if (scanned < inputs)
                {
                    w.Line($"// inputs [{Int(scanned)}..{Int(inputs)}): fewer than a vector, all of them");
                    using (w.Open($"for (nuint i = {Int(scanned)}; i < {Int(inputs)}; i++)"))
                        Terms("i");
                }
                for (int v = 0; v < count; v++)
                    w.Line(vw.Store($"c{v}", target, Refs.Index(o, offset + v * lanes)) + ";");
            }

            if (full > 0)
                w.Line($"// registers: c{{vector}} accumulate {Int(vectors)} vector{(vectors == 1 ? "" : "s")} of {Int(lanes)} columns, av holds the current input in every lane; inputs equal to 0 are skipped, their weight rows not read");
            ChunkLoop(w, chunks, vectors * lanes, (o, c) => Pass(o, c, vectors));
            if (leftover > 0)
            {
                int offset = chunks * vectors * lanes;
                w.Line($"// columns [{Int(offset)}..{Int(offset + leftover * lanes)}): {Int(leftover)} vector{(leftover == 1 ? "" : "s")}");
                using (w.Open())
                    Pass(null, offset, leftover);
            }
            if (full * lanes < width)
            {
                // The last columns (fewer than one vector): the dense loop, narrower vectors then scalars.
                var tail = new Product($"for (nuint i = 0; i < {Int(inputs)}; i++)", _ => Refs.At(x, "i"), weights, $"i * {Int(width)}", _ => target, init);
                int start = full * lanes;
                foreach (var narrow in vw.Narrower)
                    if (width - start >= narrow.Lanes)
                    {
                        w.Line($"// columns [{Int(start)}..{Int(start + narrow.Lanes)}): one {narrow}");
                        using (w.Open())
                            Chunk(w, narrow, 1, 1, tail, null, start);
                        start += narrow.Lanes;
                    }
                if (start < width)
                {
                    w.Line($"// columns [{Int(start)}..{Int(width)}): the last {Int(width - start)}, scalar");
                    using (w.Open())
                        ScalarTail(w, 1, start, width - start, tail);
                }
            }
        }

        /// <summary>
        /// The same product for <c>count</c> rows (a runtime value) with the column strips outermost: for each strip of
        /// <paramref name="vectors"/> vectors of columns, every block of <paramref name="blockRows"/> rows, then each leftover
        /// row, runs its reduction over that strip of B. A strip of B (the reduction length × the strip's columns) stays
        /// in L1 while all rows pass over it, instead of all of B being streamed once per row block.
        /// <paramref name="declareRows"/> declares the row refs that the product's A and C name, for the rows starting at
        /// <c>r</c>. Each output element sums in the same order as in <see cref="BlockedProduct"/>, so results are identical.
        /// </summary>
        public static void StripProduct(IndentedWriter w, VectorWidth vw, int blockRows, int vectors, int width, Product p,
            Action<int> declareRows, bool rowBlocks = true)
        {
            int lanes = vw.Lanes;
            int full = width / lanes, chunks = full / vectors, leftover = full % vectors;

            void RowLoops(Action<int> body) => KernelEmitter.RowLoops(w, blockRows, rowBlocks, declareRows, body);

            void Rows(string? o, int offset, int strip, VectorWidth? narrow = null)
                => RowLoops(n => Chunk(w, narrow ?? vw, n, strip, p, o, offset));

            if (full > 0) Legend(w, vw, rowBlocks ? blockRows : 1, Math.Min(vectors, full));
            if (chunks > 0)
                w.Line($"// column strips of {Int(vectors * lanes)}, each passed over by every row");
            ChunkLoop(w, chunks, vectors * lanes, (o, c) => Rows(o, c, vectors));
            if (leftover > 0)
            {
                int offset = chunks * vectors * lanes;
                w.Line($"// columns [{Int(offset)}..{Int(offset + leftover * lanes)}): {VectorsPerRow(leftover)}");
                using (w.Open())
                    Rows(null, offset, leftover);
            }
            int start = full * lanes;
            foreach (var narrow in vw.Narrower)
                if (width - start >= narrow.Lanes)
                {
                    w.Line($"// columns [{Int(start)}..{Int(start + narrow.Lanes)}): one {narrow} per row");
                    int at = start;
                    using (w.Open())
                        Rows(null, at, 1, narrow);
                    start += narrow.Lanes;
                }
            if (start < width)
            {
                // Each scalar accumulator is one dependent chain of additions; blocking the rows as the vector strips do
                // gives the core rows × tail independent chains instead of tail (each output still sums in the same order).
                int tail = width - start;
                w.Line($"// columns [{Int(start)}..{Int(width)}): the last {Int(tail)}, scalar, {(rowBlocks ? $"{Int(blockRows)} rows at a time" : "row by row")}");
                using (w.Open())
                    RowLoops(n => ScalarTail(w, n, start, tail, p));
            }
        }

        /// <summary>
        /// The rows [0, count) (count a variable of the generated code) in blocks of <paramref name="blockRows"/> (unless
        /// <paramref name="rowBlocks"/> is false), then the rows left over one at a time: <paramref name="declareRows"/>(n)
        /// declares the refs of n rows from r, <paramref name="body"/>(n) writes their work.
        /// </summary>
        public static void RowLoops(IndentedWriter w, int blockRows, bool rowBlocks, Action<int> declareRows, Action<int> body)
        {
            w.Line("int r = 0;");
            if (rowBlocks)
                using (w.Open($"for (; r + {Int(blockRows)} <= count; r += {Int(blockRows)})"))
                {
                    declareRows(blockRows);
                    body(blockRows);
                }
            using (w.Open("for (; r < count; r++)"))
            {
                declareRows(1);
                body(1);
            }
        }

        /// <summary>"one vector per row", "2 vectors per row": the comment of the last columns of full vectors, fewer than a strip.</summary>
        private static string VectorsPerRow(int vectors) => vectors == 1 ? "one vector per row" : $"{Int(vectors)} vectors per row";

        /// <summary>The names of a blocked kernel's registers, written once before it.</summary>
        private static void Legend(IndentedWriter w, VectorWidth vw, int rows, int vectors)
            => w.Line($"// registers: c{{row}}_{{vector}} accumulate C ({Int(rows)} row{(rows == 1 ? "" : "s")} × {Int(vectors)} vector{(vectors == 1 ? "" : "s")} of {Int(vw.Lanes)} columns), bv{{vector}} holds B's current row, av{{row}} A's element of that row in every lane");

        /// <summary>
        /// Chunks of <paramref name="step"/> columns from 0: a loop over o when there are several, the one chunk at the
        /// constant column 0 otherwise (no one-iteration loop).
        /// </summary>
        private static void ChunkLoop(IndentedWriter w, int chunks, int step, Action<string?, int> body)
        {
            if (chunks > 1)
                using (w.Open($"for (nuint o = 0; o < {Int(chunks * step)}; o += {Int(step)})"))
                    body("o", 0);
            else if (chunks == 1)
                using (w.Open())
                    body(null, 0);
        }

        /// <summary>The last <paramref name="tail"/> columns from <paramref name="start"/> as scalar accumulators s{row}_{column}.</summary>
        private static void ScalarTail(IndentedWriter w, int rows, int start, int tail, Product p)
        {
            for (int k = 0; k < rows; k++)
                for (int t = 0; t < tail; t++)
                    w.Line($"float s{k}_{t} = {p.InitScalar(k, start + t)};");
            using (w.Open(p.ReductionLoop))
            {
                w.Line($"ref float bRow = ref {Refs.At(p.BBase, Refs.Plus(p.BRowOffset, null, start))};");
                for (int k = 0; k < rows; k++)
                {
                    w.Line($"float av{k} = {p.AScalar(k)};");
                    for (int t = 0; t < tail; t++)
                        w.Line($"s{k}_{t} += av{k} * {Refs.At("bRow", t)};");
                }
            }
            for (int k = 0; k < rows; k++)
                for (int t = 0; t < tail; t++)
                    w.Line($"{Refs.At(p.CRow(k), start + t)} = {p.Stored(k, $"s{k}_{t}", Lane.Scalar(start + t))};");
        }

        private static void Chunk(IndentedWriter w, VectorWidth vw, int rows, int vectors, Product p, string? o, int offset)
        {
            int lanes = vw.Lanes;
            for (int v = 0; v < vectors; v++)
                for (int k = 0; k < rows; k++)
                    w.Line($"var c{k}_{v} = {p.Init(vw, k, Refs.Index(o, offset + v * lanes))};");
            using (w.Open(p.ReductionLoop))
            {
                w.Line($"ref float bRow = ref {Refs.At(p.BBase, Refs.Plus(p.BRowOffset, o, offset))};");
                for (int v = 0; v < vectors; v++)
                    w.Line($"var bv{v} = {vw.Load("bRow", Int(v * lanes))};");
                for (int k = 0; k < rows; k++)
                {
                    w.Line($"var av{k} = {vw.Create(p.AScalar(k))};");
                    for (int v = 0; v < vectors; v++)
                        w.Line($"c{k}_{v} = global::CompiledNet.CompilerServices.Kernels.MultiplyAdd(av{k}, bv{v}, c{k}_{v});");
                }
            }
            for (int k = 0; k < rows; k++)
                for (int v = 0; v < vectors; v++)
                    w.Line(vw.Store(p.Stored(k, $"c{k}_{v}", Lane.TailStep(vw, 0)), p.CRow(k), Refs.Index(o, offset + v * lanes)) + ";");
        }

        /// <summary>The widest of <paramref name="vw"/> and its narrower widths whose vector fits in <paramref name="length"/> (a short row is not left to scalars).</summary>
        private static VectorWidth FittingWidth(VectorWidth vw, int length)
        {
            foreach (var narrow in vw.Narrower)
                if (length < vw.Lanes) vw = narrow;
            return vw;
        }

        /// <summary>
        /// Dot products along a contiguous axis of constant length <paramref name="length"/>:
        /// C[k][j] = Σ_o A_k[o] · B_j[o] for <paramref name="rows"/> A rows and <paramref name="columns"/> B rows,
        /// vector accumulators over full vectors, then a horizontal sum and the scalar tail.
        /// </summary>
        public static void Dots(IndentedWriter w, VectorWidth vw, int rows, int columns, int length,
            Func<int, string> aRow, Func<int, string> bRow, Func<int, int, string> store)
        {
            vw = FittingWidth(vw, length);
            int lanes = vw.Lanes;
            int full = length / lanes;
            if (full > 0)
            {
                w.Line($"// registers: acc{{row}}_{{column}} are {Int(rows * columns)} accumulators of the dot products, bv{{column}} and av{{row}} {Int(lanes)} elements of each operand");
                for (int k = 0; k < rows; k++)
                    for (int j = 0; j < columns; j++)
                        w.Line($"var acc{k}_{j} = {vw.Zero};");
                using (w.Open($"for (nuint o = 0; o < {Int(full * lanes)}; o += {Int(lanes)})"))
                {
                    for (int j = 0; j < columns; j++)
                        w.Line($"var bv{j} = {vw.Load(bRow(j), "o")};");
                    for (int k = 0; k < rows; k++)
                    {
                        w.Line($"var av{k} = {vw.Load(aRow(k), "o")};");
                        for (int j = 0; j < columns; j++)
                            w.Line($"acc{k}_{j} = global::CompiledNet.CompilerServices.Kernels.MultiplyAdd(av{k}, bv{j}, acc{k}_{j});");
                    }
                }
            }
            for (int k = 0; k < rows; k++)
                for (int j = 0; j < columns; j++)
                {
                    var terms = new System.Collections.Generic.List<string>();
                    if (full > 0) terms.Add(vw.Sum($"acc{k}_{j}"));
                    for (int t = full * lanes; t < length; t++)
                        terms.Add($"{Refs.At(aRow(k), t)} * {Refs.At(bRow(j), t)}");
                    w.Line(store(k, j) + " = " + string.Join(" + ", terms) + ";");
                }
        }

        /// <summary>
        /// Column sums over <c>rows</c> rows of a row-major matrix of constant <paramref name="width"/>:
        /// C[o] = Σ_r B[r, o] (the bias gradient), blocks of vectors of columns, then the scalar tail.
        /// </summary>
        public static void ColumnSums(IndentedWriter w, VectorWidth vw, int width, string bBase, string cBase)
        {
            vw = FittingWidth(vw, width);
            int lanes = vw.Lanes;
            const int Block = 4;
            int full = width / lanes;
            int chunks = full / Block, leftover = full % Block;
            ChunkLoop(w, chunks, Block * lanes, (o, c) => ColumnSumBlock(w, vw, Block, width, bBase, cBase, o, c));
            if (leftover > 0)
            {
                using (w.Open())
                    ColumnSumBlock(w, vw, leftover, width, bBase, cBase, null, chunks * Block * lanes);
            }
            if (width % lanes != 0)
            {
                using (w.Open())
                {
                    for (int t = full * lanes; t < width; t++)
                        w.Line($"float s{Int(t)} = 0f;");
                    using (w.Open("for (nuint r = 0; r < rows; r++)"))
                    {
                        w.Line($"ref float bRow = ref {Refs.At(bBase, $"r * {Int(width)}")};");
                        for (int t = full * lanes; t < width; t++)
                            w.Line($"s{Int(t)} += {Refs.At("bRow", t)};");
                    }
                    for (int t = full * lanes; t < width; t++)
                        w.Line($"{Refs.At(cBase, t)} = s{Int(t)};");
                }
            }
        }

        private static void ColumnSumBlock(IndentedWriter w, VectorWidth vw, int vectors, int width, string bBase, string cBase, string? o, int offset)
        {
            int lanes = vw.Lanes;
            for (int k = 0; k < vectors; k++)
                w.Line($"var c{k} = {vw.Zero};");
            using (w.Open("for (nuint r = 0; r < rows; r++)"))
            {
                w.Line($"ref float bRow = ref {Refs.At(bBase, $"r * {Int(width)}")};");
                for (int k = 0; k < vectors; k++)
                    w.Line($"c{k} += {vw.Load("bRow", Refs.Index(o, offset + k * lanes))};");
            }
            for (int k = 0; k < vectors; k++)
                w.Line(vw.Store($"c{k}", cBase, Refs.Index(o, offset + k * lanes)) + ";");
        }
    }
}
