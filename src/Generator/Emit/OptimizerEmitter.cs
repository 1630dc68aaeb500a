using System.Collections.Generic;
using System.Globalization;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Emit.Layout;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// The optimizer step: one method per layer, one fused loop per parameter segment. The weights segment applies
    /// the regularisers (decoupled decay, L1 shift, coupled L2 gradient) in the same pass as the update; biases are
    /// never regularised. Each statement is written once as a template and instantiated for the vector body and for
    /// the scalar tail of the segment, so the two cannot disagree.
    /// </summary>
    internal static class OptimizerEmitter
    {
        public static string Describe(OptimizerSpec o) => o.Kind switch
        {
            OptimizerKind.Momentum => $"momentum (η = {N(o.LearningRate)}, γ = {N(o.Momentum)})",
            OptimizerKind.Nesterov => $"Nesterov momentum (η = {N(o.LearningRate)}, γ = {N(o.Momentum)})",
            OptimizerKind.Adagrad => $"Adagrad (η = {N(o.LearningRate)}, ε = {N(o.Epsilon)})",
            OptimizerKind.RmsProp => $"RMSProp (η = {N(o.LearningRate)}, ρ = {N(o.Rho)}, ε = {N(o.Epsilon)})",
            OptimizerKind.Adam => $"Adam (η = {N(o.LearningRate)}, β1 = {N(o.Beta1)}, β2 = {N(o.Beta2)}, ε = {N(o.Epsilon)})",
            _ => $"SGD (η = {N(o.LearningRate)})",
        } + (o.Decay != 1f ? (o.DecayEvery == 1 ? $", η ×{N(o.Decay)} per epoch" : $", η ×{N(o.Decay)} every {I(o.DecayEvery)} epochs") : "");

        public static string DescribeRegularization(RegularizationSpec r)
        {
            var parts = new List<string>();
            if (r.WeightDecay > 0) parts.Add($"weight decay {N(r.WeightDecay)}");
            if (r.L1 > 0) parts.Add($"L1 {N(r.L1)}");
            if (r.L2 > 0) parts.Add($"L2 {N(r.L2)}");
            return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
        }

        private static string N(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>The arguments ApplyGradients passes to each layer's step (per-step scalars).</summary>
        private static string Parameters(OptimizerSpec o) => o.Kind == OptimizerKind.Adam ? "float eta, float etaC1, float c2" : "float eta";

        public static string Arguments(OptimizerSpec o) => o.Kind == OptimizerKind.Adam ? "eta, etaC1, c2" : "eta";

        /// <summary>Lines of ApplyGradients before the per-layer calls.</summary>
        public static void EmitStepScalars(IndentedWriter w, OptimizerSpec o)
        {
            w.Line("float eta = _learningRate;");
            if (o.Kind == OptimizerKind.Adam)
            {
                w.Line("// Adam's bias corrections for step t: m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t); η/(1 − β1^t) is folded into one factor.");
                w.Line("long t = _step + 1;");
                w.Line($"float etaC1 = (float)(eta / (1.0 - Math.Pow({F(o.Beta1)}, t)));");
                w.Line($"float c2 = (float)(1.0 / (1.0 - Math.Pow({F(o.Beta2)}, t)));");
            }
        }

        public static void EmitStep(IndentedWriter w, int l, LayerSpec layer, Layout layout, OptimizerSpec o, RegularizationSpec r)
        {
            string regs = DescribeRegularization(r);
            string others = layer.BatchNorm ? "γ and β" : layer.Bias ? "biases" : "(no biases)";
            w.Line($"/// <summary>Layer {I(l + 1)}: {DenseEmitter.Describe(layer)} — {Describe(o)} step{(regs.Length > 0 ? " with" + regs.Substring(1) + " on the weights" : "")}; {others} are never regularised. Returns Σ new value × 0 over this part (0 when all are finite, else NaN). Parameters: {layout.Ranges(l, layer)}.</summary>");
            using (w.Open($"private float Step_L{I(l + 1)}({Parameters(o)}, int part, int parts)"))
            {
                w.Line("var check = Vector256<float>.Zero;");
                w.Line("float checkTail = 0f;");
                w.Line("ref float pr = ref MemoryMarshal.GetArrayDataReference(_parameters);");
                w.Line("ref float gr = ref MemoryMarshal.GetArrayDataReference(_gradients);");
                for (int slot = 0; slot < o.StateSlots; slot++)
                    w.Line($"ref float s{I(slot)} = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_optimizerState), {I(slot * layout.ParameterCount)});");
                var constants = Constants(o, r);
                foreach (var (name, value) in constants)
                    Template.Constant(w, name, value.StartsWith("const ") ? value.Substring(6) : value, value.StartsWith("const "));
                Segment(w, "weights", layout.WeightOffset[l], layer.Inputs * layer.Width, o, r);
                if (layer.BatchNorm)
                {
                    Segment(w, "γ", layout.GammaOffset[l], layer.Units, o, RegularizationSpec.None);
                    Segment(w, "β", layout.BetaOffset[l], layer.Units, o, RegularizationSpec.None);
                }
                else if (layer.Bias)
                    Segment(w, "biases", layout.BiasOffset[l], layer.Width, o, RegularizationSpec.None);
                w.Line("return Vector256.Sum(check) + checkTail;");
            }
            w.Line();
        }

        /// <summary>Scalars of the step: "const X" for compile-time constants, the name itself for a method parameter, else an expression.</summary>
        private static List<(string Name, string Value)> Constants(OptimizerSpec o, RegularizationSpec r)
        {
            var c = new List<(string, string)>();
            switch (o.Kind)
            {
                case OptimizerKind.Momentum:
                case OptimizerKind.Nesterov:
                    c.Add(("gamma", "const " + F(o.Momentum)));
                    if (o.Kind == OptimizerKind.Nesterov) c.Add(("onePlusGamma", "const " + F(1f + o.Momentum)));
                    break;
                case OptimizerKind.Adagrad:
                    c.Add(("epsilon", "const " + F(o.Epsilon)));
                    break;
                case OptimizerKind.RmsProp:
                    c.Add(("rho", "const " + F(o.Rho)));
                    c.Add(("oneMinusRho", "const " + F(1f - o.Rho)));
                    c.Add(("epsilon", "const " + F(o.Epsilon)));
                    break;
                case OptimizerKind.Adam:
                    c.Add(("beta1", "const " + F(o.Beta1)));
                    c.Add(("oneMinusBeta1", "const " + F(1f - o.Beta1)));
                    c.Add(("beta2", "const " + F(o.Beta2)));
                    c.Add(("oneMinusBeta2", "const " + F(1f - o.Beta2)));
                    c.Add(("epsilon", "const " + F(o.Epsilon)));
                    c.Add(("c2", "c2"));
                    c.Add(("etaC1", "etaC1"));
                    break;
            }
            c.Add(("eta", "eta"));
            if (r.L2 > 0) c.Add(("twoL2", "const " + F(2f * r.L2)));
            if (r.WeightDecay > 0) c.Add(("keep", "const " + F(1f - r.WeightDecay)));
            if (r.L1 > 0) c.Add(("l1Shift", $"eta * {F(r.L1)}"));
            return c;
        }

        /// <summary>
        /// One parameter segment, shared among <c>parts</c> threads: part k takes vector blocks
        /// [blocks·k/parts, blocks·(k+1)/parts), the last part also the scalar tail. One part covers it all.
        /// </summary>
        private static void Segment(IndentedWriter w, string name, int offset, int length, OptimizerSpec o, RegularizationSpec r)
        {
            int blocks = length / 8, full = blocks * 8;
            w.Line($"// {name} [{I(offset)}..{I(offset + length)})");
            if (full > 0)
                using (w.Open())
                {
                    w.Line($"nuint from = {I(offset)} + (nuint)({I(blocks)}L * part / parts) * 8;");
                    w.Line($"nuint to = {I(offset)} + (nuint)({I(blocks)}L * (part + 1) / parts) * 8;");
                    using (w.Open("for (nuint j = from; j < to; j += 8)"))
                        Body(w, o, r, vector: true);
                }
            if (full < length)
                using (w.Open($"if (part == parts - 1) for (nuint j = {I(offset + full)}; j < {I(offset + length)}; j++)"))
                    Body(w, o, r, vector: false);
        }

        private static void Body(IndentedWriter w, OptimizerSpec o, RegularizationSpec r, bool vector)
        {
            var lines = new List<string> { "var p = LOAD(pr);", "var g = LOAD(gr);" };
            if (r.L2 > 0) lines.Add("g = g + {twoL2} * p; // coupled L2: ∂(λ·Σw²)/∂w = 2λw");
            if (r.WeightDecay > 0) lines.Add("p = p * {keep}; // decoupled weight decay: w ← (1 − λ)·w");
            if (r.L1 > 0) lines.Add("p = SHRINK(p, {l1Shift}); // L1: toward zero by η·λ, never across it");
            switch (o.Kind)
            {
                case OptimizerKind.Momentum:
                    lines.Add("var d = {gamma} * LOAD(s0) + {eta} * g; // δ ← γδ + ηg");
                    lines.Add("STORE(s0, d);");
                    lines.Add("p = p - d;");
                    break;
                case OptimizerKind.Nesterov:
                    lines.Add("var dOld = LOAD(s0);");
                    lines.Add("var d = {gamma} * dOld + {eta} * g; // δ ← γδ + η∇L(θ − γδ): g was taken at the stored look-ahead point");
                    lines.Add("STORE(s0, d);");
                    lines.Add("p = p + {gamma} * dOld - {onePlusGamma} * d; // next look-ahead θ − γδ");
                    break;
                case OptimizerKind.Adagrad:
                    lines.Add("var sum = LOAD(s0) + g * g; // G ← G + g²");
                    lines.Add("STORE(s0, sum);");
                    lines.Add("p = p - {eta} * g / SQRT(sum + {epsilon});");
                    break;
                case OptimizerKind.RmsProp:
                    lines.Add("var mean = {rho} * LOAD(s0) + {oneMinusRho} * (g * g); // G ← ρG + (1 − ρ)g²");
                    lines.Add("STORE(s0, mean);");
                    lines.Add("p = p - {eta} * g / SQRT(mean + {epsilon});");
                    break;
                case OptimizerKind.Adam:
                    lines.Add("var m = {beta1} * LOAD(s0) + {oneMinusBeta1} * g;");
                    lines.Add("var v = {beta2} * LOAD(s1) + {oneMinusBeta2} * (g * g);");
                    lines.Add("STORE(s0, m);");
                    lines.Add("STORE(s1, v);");
                    lines.Add("p = p - {etaC1} * m / (SQRT(v * {c2}) + {epsilon}); // η·m̂/(√v̂ + ε)");
                    break;
                default:
                    lines.Add("p = p - {eta} * g;");
                    break;
            }
            lines.Add("STORE(pr, p);");
            lines.Add(vector ? "check += p * Vector256<float>.Zero; // NaN from here on if p is not finite" : "checkTail += p * 0f;");
            foreach (var line in lines) w.Line(Template.Instantiate(line, vector, Names));
        }

        private static readonly string[] Names =
        {
            "twoL2", "keep", "l1Shift", "gamma", "onePlusGamma", "eta", "epsilon", "rho", "oneMinusRho",
            "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "etaC1", "c2",
        };
    }
}
