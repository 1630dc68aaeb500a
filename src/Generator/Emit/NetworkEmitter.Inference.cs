using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: the one-example inference API: Predict, Classify, Loss, the fixed-size Input and Output types, Infer.</summary>
    internal static partial class NetworkEmitter
    {
        private static void EmitInferenceApi(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var output = spec.Layers[spec.Layers.Count - 1];
            if (!plan.OutputsOnStack)
            {
                w.Line($"// {Int(spec.OutputSize)} outputs are too many for the stack: Predict, Classify and Loss keep logits, outputs and targets in one buffer per thread, allocated on its first use.");
                w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_outputs;");
                w.Line();
            }
            w.Line("/// <summary>Runs the network on one example: <paramref name=\"x\"/> has InputSize values, <paramref name=\"y\"/> receives OutputSize values.</summary>");
            using (w.Member("public void Predict(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
            {
                CheckInput(w);
                w.Line("if (y.Length != OutputSize) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(y), OutputSize, y.Length, \"OutputSize\");");
                OutputBuffer(w, plan, "z", 0);
                w.Line("Infer(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y));");
            }
            w.Line();

            if (spec.OutputSize == 1)
            {
                string threshold = output.Activation == ActivationKind.Sigmoid ? "0.5" : "0";
                w.Line($"/// <summary>Class of one example: 1 when the single output is ≥ {threshold}, else 0.</summary>");
            }
            else
                w.Line("/// <summary>Class of one example: the index of the largest output (the first one on ties).</summary>");
            using (w.Member("public int Classify(global::System.ReadOnlySpan<float> x)"))
            {
                CheckInput(w);
                OutputBuffer(w, plan, "z", 0);
                OutputBuffer(w, plan, "y", 1);
                w.Line("Infer(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y));");
                if (spec.OutputSize == 1)
                    w.Line($"return y[0] >= {(output.Activation == ActivationKind.Sigmoid ? "0.5f" : "0f")} ? 1 : 0;");
                else
                {
                    w.Line("int best = 0;");
                    using (w.Open("for (int k = 1; k < OutputSize; k++)"))
                        w.Line("if (y[k] > y[best]) best = k;");
                    w.Line("return best;");
                }
            }
            w.Line();

            w.Line("/// <summary>Loss of one example against a class label, in inference mode.</summary>");
            using (w.Member("public float Loss(global::System.ReadOnlySpan<float> x, int label)"))
            {
                CheckInput(w);
                OutputBuffer(w, plan, "t", 2);
                w.Line("SetTarget(label, 0, ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(t), nameof(label));");
                w.Line("return LossCore(x, t);");
            }
            w.Line();
            w.Line("/// <summary>Loss of one example against a target vector of OutputSize values, in inference mode.</summary>");
            using (w.Member("public float Loss(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> target)"))
            {
                CheckInput(w);
                w.Line("if (target.Length != OutputSize) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(target), OutputSize, target.Length, \"OutputSize\");");
                w.Line("return LossCore(x, target);");
            }
            w.Line();
            using (w.Member("private float LossCore(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> t)"))
            {
                OutputBuffer(w, plan, "z", 0);
                OutputBuffer(w, plan, "y", 1);
                w.Line("Infer(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y));");
                w.Line("return ExampleLoss(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(t));");
            }
            w.Line();
        }

        /// <summary>
        /// Fixed-size input and output types: a buffer of the wrong size, or another network's output, does not compile.
        /// Each wraps a private inline array, so it does not convert implicitly to a span (which would reach the
        /// span overloads and fail only at run time).
        /// </summary>
        private static void EmitShapeTypes(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            ShapeType(w, "Input", "InputSize", spec.InputSize, "One example's inputs", "x");
            ShapeType(w, "Output", "OutputSize", spec.OutputSize, "One example's outputs", "y");
            w.Line("/// <summary>Runs the network on one example given as its fixed-size type; no length check is needed.</summary>");
            using (w.Member("public Output Predict(in Input x)"))
            {
                w.Line("Output y = default;");
                OutputBuffer(w, plan, "z", 0);
                w.Line("Infer(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x.AsReadOnlySpan()), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y.AsSpan()));");
                w.Line("return y;");
            }
            w.Line();
            w.Line("/// <summary>Class of one example given as its fixed-size type.</summary>");
            using (w.Member("public int Classify(in Input x)"))
            {
                w.Line("return Classify(x.AsReadOnlySpan());");
            }
            w.Line();
        }

        private static void ShapeType(IndentedWriter w, string name, string size, int value, string what, string parameter)
        {
            w.Line($"/// <summary>{what} as a type of exactly {size} ({Int(value)}) floats: another shape does not compile where this is expected.</summary>");
            using (w.Member($"public struct {name}"))
            {
                w.Line($"[global::System.Runtime.CompilerServices.InlineArray({size})]");
                using (w.Member("private struct Values"))
                    w.Line("private float _element0;");
                w.Line();
                w.Line("private Values _values;");
                w.Line();
                w.Line($"/// <summary>Copies {size} values; another length throws <see cref=\"global::System.ArgumentException\"/>.</summary>");
                using (w.Member($"public {name}(global::System.ReadOnlySpan<float> values)"))
                {
                    w.Line($"if (values.Length != {size}) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(values), {size}, values.Length, \"{size}\");");
                    w.Line("values.CopyTo(_values);");
                }
                w.Line();
                w.Line("/// <summary>Value <paramref name=\"index\"/>.</summary>");
                using (w.Member("public float this[int index]"))
                {
                    w.Line("readonly get => _values[index];");
                    w.Line("set => _values[index] = value;");
                }
                w.Line();
                w.Line("/// <summary>The values as a span over this instance.</summary>");
                w.Line("[global::System.Diagnostics.CodeAnalysis.UnscopedRef]");
                w.MemberLine("public global::System.Span<float> AsSpan() => _values;");
                w.Line();
                w.Line("/// <summary>The values as a read-only span over this instance.</summary>");
                w.Line("[global::System.Diagnostics.CodeAnalysis.UnscopedRef]");
                w.MemberLine("public readonly global::System.ReadOnlySpan<float> AsReadOnlySpan() => _values;");
            }
            w.Line();
        }

        /// <summary>
        /// Span <paramref name="name"/> of OutputSize floats: on the stack, or part <paramref name="slot"/> of the
        /// per-thread buffer t_outputs when <see cref="NetworkPlan.OutputBuffers"/> of them would not fit
        /// <see cref="NetworkPlan.StackFloats"/> (z = 0, y = 1, Loss's target t = 2: one call never uses a part twice).
        /// </summary>
        private static void OutputBuffer(IndentedWriter w, NetworkPlan plan, string name, int slot)
            => w.Line(plan.OutputsOnStack
                ? $"global::System.Span<float> {name} = stackalloc float[OutputSize];"
                : $"global::System.Span<float> {name} = (t_outputs ??= {NewBuffer(Int(NetworkPlan.OutputBuffers * plan.Spec.OutputSize))}).Slice({Int(slot * plan.Spec.OutputSize)}, OutputSize);");

        private static void CheckInput(IndentedWriter w)
            => w.Line("if (x.Length != InputSize) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(x), InputSize, x.Length, \"InputSize\");");

        private static void EmitInferCore(IndentedWriter w, NetworkPlan plan)
        {
            var vw = VectorWidth.Inline;
            var spec = plan.Spec;
            int n = spec.Layers.Count;
            int hidden = plan.HiddenUnits;
            bool onStack = plan.HiddenOnStack;
            if (hidden > 0 && !onStack)
            {
                w.Line($"// {Int(hidden)} hidden activations are too many for the stack: one buffer per thread, allocated on its first prediction.");
                w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_hidden;");
                w.Line();
            }
            if (plan.Features.OutputSize > NetworkPlan.StackFloats)
            {
                w.Line($"// The {Int(plan.Features.OutputSize)} inputs of the first dense layer are too many for the stack: one buffer per thread.");
                w.Line("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_flat;");
                w.Line();
            }
            w.Line($"/// <summary>Inference forward pass of one example: logits into z, outputs into y. Hidden activations ({Int(hidden)} floats) {(onStack ? "on the stack" : "in a per-thread buffer")}.</summary>");
            using (w.Member("private void Infer(ref float x, ref float z, ref float y)"))
            {
                w.Line("ref float p = ref _parameters.Data;");
                w.Line("ref float statistics = ref _batchNormStatistics.Data;");
                if (hidden > 0)
                {
                    if (onStack)
                        w.Line($"global::System.Span<float> hidden = stackalloc float[{Int(hidden)}];");
                    else
                        w.Line($"global::System.Span<float> hidden = t_hidden ??= {NewBuffer(Int(hidden))};");
                    w.Line("ref float h = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(hidden);");
                }
                int offset = 0;
                string input = "x";
                if (plan.Features.Any)
                {
                    EmitFlatFeatures(w, plan, "flat", "x");
                    input = "flat";
                }
                for (int l = 0; l < n; l++)
                {
                    var layer = spec.Layers[l];
                    if (l == n - 1)
                    {
                        w.Line($"{plan.Layers[l].Infer}(ref p, ref statistics, ref {input}, ref z);");
                    }
                    else
                    {
                        w.Line($"ref float h{Int(l + 1)} = ref {Refs.At("h", offset)};");
                        w.Line($"{plan.Layers[l].Infer}(ref p, ref statistics, ref {input}, ref h{Int(l + 1)});");
                        input = "h" + Int(l + 1);
                        offset += layer.Units;
                    }
                }
                ActivationEmitter.Forward(w, vw, spec.Layers[n - 1], "z", "y", null);
            }
            w.Line();
        }
    }
}
