using System.Collections.Generic;
using System.Globalization;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

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
                w.Line($"float etaC1 = (float)(eta / (1.0 - global::System.Math.Pow({Float(o.Beta1)}, t)));");
                w.Line($"float c2 = (float)(1.0 / (1.0 - global::System.Math.Pow({Float(o.Beta2)}, t)));");
            }
        }

        public static void EmitStep(IndentedWriter w, LayerPlan lp, Layout layout, OptimizerSpec o, RegularizationSpec r)
        {
            int l = lp.Index;
            var layer = lp.Spec;
            string regs = Describer.Regularization(r);
            string others = layer.BatchNorm ? "γ and β" : layer.Bias ? "biases" : "(no biases)";
            w.Line($"/// <summary>Layer {Int(l + 1)}: {Describer.Layer(layer)} — {Describer.Optimizer(o)} step{(regs.Length > 0 ? " with" + regs.Substring(1) + " on the weights" : "")}; {others} are never regularised. Returns Σ new value × 0 over this part (0 when all are finite, else NaN). Parameters: {layout.Ranges(l, layer)}.</summary>");
            var segments = new List<(string, int, int, RegularizationSpec)> { ("weights", layout.WeightOffset[l], layer.Inputs * layer.Width, r) };
            if (layer.BatchNorm)
            {
                segments.Add(("γ", layout.GammaOffset[l], layer.Units, RegularizationSpec.None));
                segments.Add(("β", layout.BetaOffset[l], layer.Units, RegularizationSpec.None));
            }
            else if (layer.Bias)
                segments.Add(("biases", layout.BiasOffset[l], layer.Width, RegularizationSpec.None));
            StepMethod(w, lp.Step, layout, o, r, segments);
        }

        /// <summary>A convolution's optimizer step: its weights with the regularisers, its biases without.</summary>
        public static void EmitFeatureStep(IndentedWriter w, FeaturePlan fp, Layout layout, OptimizerSpec o, RegularizationSpec r)
        {
            if (!fp.IsConv) return;
            string regs = Describer.Regularization(r);
            w.Line($"/// <summary>{Describer.Feature(fp.Spec, fp.Index)} — {Describer.Optimizer(o)} step{(regs.Length > 0 ? " with" + regs.Substring(1) + " on the weights" : "")}; {(fp.BiasOffset >= 0 ? "biases" : "(no biases)")} are never regularised. Returns Σ new value × 0 over this part (0 when all are finite, else NaN). Parameters: {fp.Ranges}.</summary>");
            var segments = new List<(string, int, int, RegularizationSpec)> { ("weights", fp.WeightOffset, fp.Spec.WeightCount, r) };
            if (fp.BiasOffset >= 0) segments.Add(("biases", fp.BiasOffset, fp.Spec.BiasCount, RegularizationSpec.None));
            StepMethod(w, fp.Step, layout, o, r, segments);
        }

        private static void StepMethod(IndentedWriter w, string name, Layout layout, OptimizerSpec o, RegularizationSpec r, List<(string Name, int Offset, int Length, RegularizationSpec Regularization)> segments)
        {
            using (w.Open($"private float {name}({Parameters(o)}, int part, int parts)"))
            {
                w.Line("var check = global::System.Runtime.Intrinsics.Vector256<float>.Zero;");
                w.Line("float checkTail = 0f;");
                w.Line("ref float pr = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_parameters);");
                w.Line("ref float gr = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_gradients);");
                for (int slot = 0; slot < o.StateSlots; slot++)
                    w.Line(slot == 0
                        ? "ref float s0 = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_optimizerState);"
                        : $"ref float s{Int(slot)} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_optimizerState), {Int(slot * layout.ParameterCount)});");
                var constants = Constants(o, r);
                foreach (var scalar in constants)
                    Template.Constant(w, scalar.Name, scalar.Value, scalar.IsConst);
                foreach (var segment in segments)
                    Segment(w, segment.Name, segment.Offset, segment.Length, o, segment.Regularization);
                w.Line("return global::System.Runtime.Intrinsics.Vector256.Sum(check) + checkTail;");
            }
            w.Line();
        }

        /// <summary>
        /// Optimizer state that decays geometrically (momentum's δ, RMSProp's mean of g², Adam's m and v) is stored as 0
        /// once its magnitude falls below this. A weight whose gradient stays 0 (an input that is always 0, a unit no
        /// example activates) would otherwise carry state that shrinks by γ, ρ or β each step into the subnormal range,
        /// where it stays (0.9 × 4·2⁻¹⁴⁹ rounds back to itself) and where Intel cores take a microcode assist for every
        /// operation on it: measured on an Intel Xeon, one Adam step of a 784-256-128-10 network took 2.0 ms with
        /// 14,000 subnormal moments against 0.2 ms with them flushed. 1e-30 is far above the subnormal range (below
        /// 1.2e-38), so one more decay cannot reach it, and far below any value that moves a weight: the update it
        /// drops is at most η·1e-30/ε. Adagrad's sum only grows and needs no flush.
        /// </summary>
        private const float FlushBelow = 1e-30f;

        private static bool DecaysState(OptimizerKind kind)
            => kind is OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.RmsProp or OptimizerKind.Adam;

        /// <summary>A scalar of the step: a compile-time constant, a method parameter (its value is its own name), or an expression.</summary>
        private sealed record StepScalar(string Name, string Value, bool IsConst);

        /// <summary>The scalars of the step, each declared once with its vector copy.</summary>
        private static List<StepScalar> Constants(OptimizerSpec o, RegularizationSpec r)
        {
            var c = new List<StepScalar>();
            switch (o.Kind)
            {
                case OptimizerKind.Momentum:
                case OptimizerKind.Nesterov:
                    c.Add(new StepScalar("gamma", Float(o.Momentum), IsConst: true));
                    if (o.Kind == OptimizerKind.Nesterov) c.Add(new StepScalar("onePlusGamma", Float(1f + o.Momentum), IsConst: true));
                    break;
                case OptimizerKind.Adagrad:
                    c.Add(new StepScalar("epsilon", Float(o.Epsilon), IsConst: true));
                    break;
                case OptimizerKind.RmsProp:
                    c.Add(new StepScalar("rho", Float(o.Rho), IsConst: true));
                    c.Add(new StepScalar("oneMinusRho", Float(1f - o.Rho), IsConst: true));
                    c.Add(new StepScalar("epsilon", Float(o.Epsilon), IsConst: true));
                    break;
                case OptimizerKind.Adam:
                    c.Add(new StepScalar("beta1", Float(o.Beta1), IsConst: true));
                    c.Add(new StepScalar("oneMinusBeta1", Float(1f - o.Beta1), IsConst: true));
                    c.Add(new StepScalar("beta2", Float(o.Beta2), IsConst: true));
                    c.Add(new StepScalar("oneMinusBeta2", Float(1f - o.Beta2), IsConst: true));
                    c.Add(new StepScalar("epsilon", Float(o.Epsilon), IsConst: true));
                    c.Add(new StepScalar("c2", "c2", IsConst: false));
                    c.Add(new StepScalar("etaC1", "etaC1", IsConst: false));
                    break;
            }
            c.Add(new StepScalar("eta", "eta", IsConst: false));
            if (DecaysState(o.Kind)) c.Add(new StepScalar("tiny", Float(FlushBelow), IsConst: true));
            if (r.L2 > 0) c.Add(new StepScalar("twoL2", Float(2f * r.L2), IsConst: true));
            if (r.WeightDecay > 0) c.Add(new StepScalar("keep", Float(1f - r.WeightDecay), IsConst: true));
            if (r.L1 > 0) c.Add(new StepScalar("l1Shift", $"eta * {Float(r.L1)}", IsConst: false));
            return c;
        }

        /// <summary>
        /// One parameter segment, shared among <c>parts</c> threads: part k takes vector blocks
        /// [blocks·k/parts, blocks·(k+1)/parts), the last part also the scalar tail. One part covers it all.
        /// </summary>
        private static void Segment(IndentedWriter w, string name, int offset, int length, OptimizerSpec o, RegularizationSpec r)
        {
            int blocks = length / 8, full = blocks * 8;
            w.Line($"// {name} [{Int(offset)}..{Int(offset + length)})");
            if (full > 0)
                using (w.Open())
                {
                    w.Line($"nuint from = {Int(offset)} + (nuint)({Int(blocks)}L * part / parts) * 8;");
                    w.Line($"nuint to = {Int(offset)} + (nuint)({Int(blocks)}L * (part + 1) / parts) * 8;");
                    using (w.Open("for (nuint j = from; j < to; j += 8)"))
                        Body(w, o, r, vector: true);
                }
            if (full < length)
                using (w.Open($"if (part == parts - 1) for (nuint j = {Int(offset + full)}; j < {Int(offset + length)}; j++)"))
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
                    lines.Add("STORE(s0, FLUSH(d)); // stored as 0 below tiny: no subnormal state");
                    lines.Add("p = p - d;");
                    break;
                case OptimizerKind.Nesterov:
                    lines.Add("var dOld = LOAD(s0);");
                    lines.Add("var d = {gamma} * dOld + {eta} * g; // δ ← γδ + η∇L(θ − γδ): g was taken at the stored look-ahead point");
                    lines.Add("STORE(s0, FLUSH(d)); // stored as 0 below tiny: no subnormal state");
                    lines.Add("p = p + {gamma} * dOld - {onePlusGamma} * d; // next look-ahead θ − γδ");
                    break;
                case OptimizerKind.Adagrad:
                    lines.Add("var sum = LOAD(s0) + g * g; // G ← G + g²");
                    lines.Add("STORE(s0, sum);");
                    lines.Add("p = p - {eta} * g / SQRT(sum + {epsilon});");
                    break;
                case OptimizerKind.RmsProp:
                    lines.Add("var mean = {rho} * LOAD(s0) + {oneMinusRho} * (g * g); // G ← ρG + (1 − ρ)g²");
                    lines.Add("STORE(s0, FLUSH(mean)); // stored as 0 below tiny: no subnormal state");
                    lines.Add("p = p - {eta} * g / SQRT(mean + {epsilon});");
                    break;
                case OptimizerKind.Adam:
                    lines.Add("var m = {beta1} * LOAD(s0) + {oneMinusBeta1} * g;");
                    lines.Add("var v = {beta2} * LOAD(s1) + {oneMinusBeta2} * (g * g);");
                    lines.Add("STORE(s0, FLUSH(m)); // stored as 0 below tiny: no subnormal state");
                    lines.Add("STORE(s1, FLUSH(v));");
                    lines.Add("p = p - {etaC1} * m / (SQRT(v * {c2}) + {epsilon}); // η·m̂/(√v̂ + ε)");
                    break;
                default:
                    lines.Add("p = p - {eta} * g;");
                    break;
            }
            lines.Add("STORE(pr, p);");
            lines.Add(vector ? "check += p * global::System.Runtime.Intrinsics.Vector256<float>.Zero; // NaN from here on if p is not finite" : "checkTail += p * 0f;");
            foreach (var line in lines) w.Line(Template.Instantiate(line, vector, Names));
        }

        private static readonly string[] Names =
        {
            "twoL2", "keep", "l1Shift", "gamma", "onePlusGamma", "eta", "epsilon", "rho", "oneMinusRho",
            "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "etaC1", "c2",
        };
    }
}
