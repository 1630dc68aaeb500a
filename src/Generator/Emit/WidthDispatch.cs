using System;
using System.Collections.Generic;
using System.Linq;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// A generated method with vector code: written once per <see cref="VectorWidth"/> (<c>Infer_V512_L1</c>,
    /// <c>Infer_V256_L1</c>, <c>Infer_V128_L1</c>) and once more under its own name as a dispatcher that calls the
    /// widest accelerated one. <c>VectorNNN.IsHardwareAccelerated</c> is a constant to the JIT, so the dispatcher
    /// compiles to one direct call (it is inlined into its caller) and the widths not taken cost nothing at run time.
    /// The runtime's own choice is respected: Vector512 is not accelerated where .NET declines it (a CPU that slows
    /// down on 512-bit work, or <c>DOTNET_PreferredVectorBitWidth=256</c>), and Vector256 not without AVX2.
    /// </summary>
    internal sealed class VectorMethod
    {
        /// <summary>The widths every vector method is written for, widest first (the dispatcher's order).</summary>
        public static readonly IReadOnlyList<VectorWidth> Widths = new[] { VectorWidth.V512, VectorWidth.V256, VectorWidth.V128 };

        private readonly string _modifiers;
        private readonly string _returnType;
        private readonly string _name;
        private readonly (string Type, string Name)[] _parameters;

        /// <param name="modifiers">e.g. <c>private static</c>.</param>
        /// <param name="name">The per-layer name from the plan, ending in <c>_L</c> and the layer number.</param>
        /// <param name="parameters">Each parameter's type (with <c>ref</c> where it is one) and name.</param>
        public VectorMethod(string modifiers, string returnType, string name, params (string Type, string Name)[] parameters)
        {
            _modifiers = modifiers;
            _returnType = returnType;
            _name = name;
            _parameters = parameters;
        }

        /// <summary>The name of the version for <paramref name="width"/>: the width before the layer number (<c>_L</c> for a dense layer, <c>_F</c> for a convolution), so it stays a per-layer name.</summary>
        public string NameFor(VectorWidth width)
        {
            int at = Math.Max(_name.LastIndexOf("_L", StringComparison.Ordinal), _name.LastIndexOf("_F", StringComparison.Ordinal));
            return _name.Substring(0, at) + "_" + width.Suffix + _name.Substring(at);
        }

        private string Declaration(string name)
            => $"{_modifiers} {_returnType} {name}({string.Join(", ", _parameters.Select(p => p.Type + " " + p.Name))})";

        private string Call(string name)
            => $"{name}({string.Join(", ", _parameters.Select(p => p.Type.StartsWith("ref ", StringComparison.Ordinal) ? "ref " + p.Name : p.Name))})";

        /// <summary>
        /// Writes the dispatcher under the method's own name with <paramref name="summary"/>, then the method once per
        /// width, <paramref name="body"/> writing its statements for the width it is given.
        /// </summary>
        public void Emit(IndentedWriter w, string summary, Action<VectorWidth> body)
        {
            string result = _returnType == "void" ? "" : "return ";
            w.Line(summary);
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (w.Member(Declaration(_name)))
            {
                for (int k = 0; k < Widths.Count; k++)
                {
                    string call = result + Call(NameFor(Widths[k])) + ";";
                    if (k == Widths.Count - 1) w.Line(result.Length > 0 || k == 0 ? call : "else " + call);
                    else if (result.Length > 0) w.Line($"if ({Widths[k].IsHardwareAccelerated}) {call}");
                    else w.Line($"{(k == 0 ? "" : "else ")}if ({Widths[k].IsHardwareAccelerated}) {call}");
                }
            }
            w.Line();
            foreach (var width in Widths)
            {
                w.Line(summary.Substring(0, summary.Length - "</summary>".Length) + $" This version: {width} ({Literals.Int(width.Lanes)} floats per vector), called by {_name} where it is the widest accelerated width.</summary>");
                using (w.Member(Declaration(NameFor(width))))
                    body(width);
                w.Line();
            }
        }
    }
}
