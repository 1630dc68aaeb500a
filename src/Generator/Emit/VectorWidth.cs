using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// One SIMD width of the generated kernels: its bits, its lanes of float, and the names of its vector type. Every
    /// emitter writes vector code through one of these, so a kernel's width is a parameter, never a literal.
    /// </summary>
    internal sealed class VectorWidth
    {
        /// <summary>128-bit vectors (SSE, Arm64 AdvSimd): 4 floats.</summary>
        public static readonly VectorWidth V128 = new VectorWidth(128, registers: 16);

        /// <summary>256-bit vectors (AVX2): 8 floats.</summary>
        public static readonly VectorWidth V256 = new VectorWidth(256, registers: 16);

        /// <summary>512-bit vectors (AVX-512): 16 floats.</summary>
        public static readonly VectorWidth V512 = new VectorWidth(512, registers: 32);

        /// <summary>
        /// The width of the few element-wise loops written inline in the network's own methods rather than in a
        /// per-layer method (the output activation of Predict and PredictBatch, input dropout): 128 bits, accelerated
        /// wherever .NET accelerates vectors at all (x64 and Arm64), and enough for loops that run once per row.
        /// </summary>
        public static readonly VectorWidth Inline = V128;

        private VectorWidth(int bits, int registers)
        {
            Bits = bits;
            Lanes = bits / 32;
            Registers = registers;
            Type = "global::System.Runtime.Intrinsics.Vector" + Int(bits);
        }

        public int Bits { get; }

        /// <summary>Floats per vector.</summary>
        public int Lanes { get; }

        /// <summary>Vector registers the instruction set of this width has on x64 (AVX-512 doubles them to 32).</summary>
        public int Registers { get; }

        /// <summary>The static class, e.g. <c>global::System.Runtime.Intrinsics.Vector256</c>.</summary>
        public string Type { get; }

        /// <summary>The vector of floats, e.g. <c>global::System.Runtime.Intrinsics.Vector256&lt;float&gt;</c>.</summary>
        public string OfFloat => Type + "<float>";

        public string Zero => OfFloat + ".Zero";

        public string One => OfFloat + ".One";

        public string Load(string reference, string index) => $"{Type}.LoadUnsafe(ref {reference}, {index})";

        public string Store(string value, string reference, string index) => $"{Type}.StoreUnsafe({value}, ref {reference}, {index})";

        public string Create(string scalar) => $"{Type}.Create({scalar})";

        public string Sum(string vector) => $"{Type}.Sum({vector})";

        public string Call(string method, params string[] arguments) => $"{Type}.{method}({string.Join(", ", arguments)})";

        /// <summary>The JIT-time constant that says whether this width runs in hardware.</summary>
        public string IsHardwareAccelerated => Type + ".IsHardwareAccelerated";

        /// <summary>The narrower widths, widest first: the steps of a tail shorter than one vector of this width.</summary>
        public VectorWidth[] Narrower => Bits == 512 ? new[] { V256, V128 } : Bits == 256 ? new[] { V128 } : new VectorWidth[0];

        /// <summary>
        /// Vectors per row in the register block of the training products (4 rows): 4 with 32 registers (16 accumulators),
        /// else 3 (12 accumulators, the 3 vectors of B's row and A's broadcast element: all 16 registers).
        /// </summary>
        public int BlockVectors => Registers >= 32 ? 4 : 3;

        /// <summary>
        /// The same where the CPU has no fused multiply-add (x64 without AVX2, where only Vector128 is accelerated): each
        /// product then needs a register of its own before the add, so a 4 × 3 block no longer fits in 16 and spills; 2.
        /// </summary>
        public int BlockVectorsWithoutFma => Bits == 128 ? 2 : BlockVectors;

        /// <summary>
        /// The JIT-time condition under which this width multiplies and adds in one instruction, where that can be false:
        /// Vector128 runs on x64 with FMA, on Arm64 (AdvSimd always fuses) and on x64 without AVX2 (no FMA). Null for
        /// Vector256 and Vector512: .NET accelerates them only with AVX2 or AVX-512, and both include FMA.
        /// </summary>
        public string? FusedCondition => Bits == 128 ? "global::CompiledNet.CompilerServices.Kernels.FusesMultiplyAdd128" : null;

        /// <summary>The suffix of the per-width method names, e.g. <c>V512</c>.</summary>
        public string Suffix => "V" + Int(Bits);

        public override string ToString() => "Vector" + Int(Bits);
    }
}
