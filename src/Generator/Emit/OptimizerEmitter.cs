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
        /// <summary>The parameters of each layer's step: the per-step scalars ApplyGradients passes, then the part.</summary>
        private static (string Type, string Name)[] Parameters(OptimizerSpec o) => o.Kind == OptimizerKind.Adam
            ? new[] { ("float", "eta"), ("float", "etaC1"), ("float", "c2"), ("int", "part"), ("int", "parts") }
            : new[] { ("float", "eta"), ("int", "part"), ("int", "parts") };

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
            string summary = $"/// <summary>Layer {Int(l + 1)}: {Describer.Layer(layer)} — {Describer.Optimizer(o)} step{(regs.Length > 0 ? " with" + regs.Substring(1) + " on the weights" : "")}; {others} are never regularised. Returns Σ new value × 0 over this part (0 when all are finite, else NaN). Parameters: {layout.Ranges(l, layer)}.</summary>";
            var segments = new List<(string, int, int, RegularizationSpec)> { ("weights", layout.WeightOffset[l], layer.Inputs * layer.Width, r) };
            if (layer.BatchNorm)
            {
                segments.Add(("γ", layout.GammaOffset[l], layer.Units, RegularizationSpec.None));
                segments.Add(("β", layout.BetaOffset[l], layer.Units, RegularizationSpec.None));
            }
            else if (layer.Bias)
                segments.Add(("biases", layout.BiasOffset[l], layer.Width, RegularizationSpec.None));
            new VectorMethod("private", "float", lp.Step, Parameters(o)).Emit(w, summary, width => StepBody(w, width, layout, o, r, segments));
        }

        /// <summary>
        /// A convolution's optimizer step: its weights with the regularisers, its biases without. Written for Vector256
        /// only (no width dispatch): the segments are short next to the convolution's own work.
        /// </summary>
        public static void EmitFeatureStep(IndentedWriter w, FeaturePlan fp, Layout layout, OptimizerSpec o, RegularizationSpec r)
        {
            if (!fp.IsConv) return;
            string regs = Describer.Regularization(r);
            w.Line($"/// <summary>{Describer.Feature(fp.Spec, fp.Index)} — {Describer.Optimizer(o)} step{(regs.Length > 0 ? " with" + regs.Substring(1) + " on the weights" : "")}; {(fp.BiasOffset >= 0 ? "biases" : "(no biases)")} are never regularised. Returns Σ new value × 0 over this part (0 when all are finite, else NaN). Parameters: {fp.Ranges}.</summary>");
            var segments = new List<(string, int, int, RegularizationSpec)> { ("weights", fp.WeightOffset, fp.Spec.WeightCount, r) };
            if (fp.BiasOffset >= 0) segments.Add(("biases", fp.BiasOffset, fp.Spec.BiasCount, RegularizationSpec.None));
            using (w.Member($"private float {fp.Step}({string.Join(", ", System.Linq.Enumerable.Select(Parameters(o), p => p.Type + " " + p.Name))})"))
                StepBody(w, VectorWidth.V256, layout, o, r, segments);
            w.Line();
        }

        private static void StepBody(IndentedWriter w, VectorWidth width, Layout layout, OptimizerSpec o, RegularizationSpec r, List<(string Name, int Offset, int Length, RegularizationSpec Regularization)> segments)
        {
            w.Line($"var check = {width.Zero};");
            w.Line("float checkTail = 0f;");
            w.Line("ref float pr = ref _parameters.Data;");
            w.Line("ref float gr = ref _gradients.Data;");
            for (int slot = 0; slot < o.StateSlots; slot++)
                w.Line(slot == 0
                    ? "ref float s0 = ref _optimizerState.Data;"
                    : $"ref float s{Int(slot)} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref _optimizerState.Data, {Int(slot * layout.ParameterCount)});");
            var c = new Dictionary<string, Expr>();
            foreach (var scalar in Constants(o, r))
            {
                Elementwise.Declare(w, width, scalar);
                c.Add(scalar.Name, scalar.Expr);
            }
            foreach (var segment in segments)
                Segment(w, width, segment.Name, segment.Offset, segment.Length, o, segment.Regularization, c);
            w.Line($"return {width.Sum("check")} + checkTail;");
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

        /// <summary>The scalars of the step, each declared once with its vector copy.</summary>
        private static List<Elementwise.Scalar> Constants(OptimizerSpec o, RegularizationSpec r)
        {
            var c = new List<Elementwise.Scalar>();
            switch (o.Kind)
            {
                case OptimizerKind.Momentum:
                case OptimizerKind.Nesterov:
                    c.Add(new Elementwise.Scalar("gamma", Float(o.Momentum), isConst: true));
                    if (o.Kind == OptimizerKind.Nesterov) c.Add(new Elementwise.Scalar("onePlusGamma", Float(1f + o.Momentum), isConst: true));
                    break;
                case OptimizerKind.Adagrad:
                    c.Add(new Elementwise.Scalar("epsilon", Float(o.Epsilon), isConst: true));
                    break;
                case OptimizerKind.RmsProp:
                    c.Add(new Elementwise.Scalar("rho", Float(o.Rho), isConst: true));
                    c.Add(new Elementwise.Scalar("oneMinusRho", Float(1f - o.Rho), isConst: true));
                    c.Add(new Elementwise.Scalar("epsilon", Float(o.Epsilon), isConst: true));
                    break;
                case OptimizerKind.Adam:
                    c.Add(new Elementwise.Scalar("beta1", Float(o.Beta1), isConst: true));
                    c.Add(new Elementwise.Scalar("oneMinusBeta1", Float(1f - o.Beta1), isConst: true));
                    c.Add(new Elementwise.Scalar("beta2", Float(o.Beta2), isConst: true));
                    c.Add(new Elementwise.Scalar("oneMinusBeta2", Float(1f - o.Beta2), isConst: true));
                    c.Add(new Elementwise.Scalar("epsilon", Float(o.Epsilon), isConst: true));
                    c.Add(new Elementwise.Scalar("c2", "c2", isConst: false));
                    c.Add(new Elementwise.Scalar("etaC1", "etaC1", isConst: false));
                    break;
            }
            c.Add(new Elementwise.Scalar("eta", "eta", isConst: false));
            if (DecaysState(o.Kind)) c.Add(new Elementwise.Scalar("tiny", Float(FlushBelow), isConst: true));
            if (r.L2 > 0) c.Add(new Elementwise.Scalar("twoL2", Float(2f * r.L2), isConst: true));
            if (r.WeightDecay > 0) c.Add(new Elementwise.Scalar("keep", Float(1f - r.WeightDecay), isConst: true));
            if (r.L1 > 0) c.Add(new Elementwise.Scalar("l1Shift", $"eta * {Float(r.L1)}", isConst: false));
            return c;
        }

        /// <summary>
        /// One parameter segment, shared among <c>parts</c> threads: part k takes vector blocks
        /// [blocks·k/parts, blocks·(k+1)/parts), the last part also the scalar tail. One part covers it all.
        /// </summary>
        private static void Segment(IndentedWriter w, VectorWidth width, string name, int offset, int length, OptimizerSpec o, RegularizationSpec r, IReadOnlyDictionary<string, Expr> c)
        {
            int lanes = width.Lanes;
            int blocks = length / lanes, full = blocks * lanes;
            w.Line($"// {name} [{Int(offset)}..{Int(offset + length)})");
            if (full > 0)
                using (w.Open())
                {
                    w.Line($"nuint from = {Int(offset)} + (nuint)({Int(blocks)}L * part / parts) * {Int(lanes)};");
                    w.Line($"nuint to = {Int(offset)} + (nuint)({Int(blocks)}L * (part + 1) / parts) * {Int(lanes)};");
                    using (w.Open($"for (nuint j = from; j < to; j += {Int(lanes)})"))
                        Body(w, o, r, c, Lane.Vector(width));
                }
            if (full < length)
                using (w.Open($"if (part == parts - 1) for (nuint j = {Int(offset + full)}; j < {Int(offset + length)}; j++)"))
                    Body(w, o, r, c, Lane.Scalar());
        }

        private static void Body(IndentedWriter w, OptimizerSpec o, RegularizationSpec r, IReadOnlyDictionary<string, Expr> c, Lane lane)
        {
            Expr p = Expr.Local("p"), g = Expr.Local("g");
            var body = new List<Stmt> { Stmt.Var("p", Expr.Load("pr")), Stmt.Var("g", Expr.Load("gr")) };
            if (r.L2 > 0) body.Add(Stmt.Assign("g", g + c["twoL2"] * p, "coupled L2: ∂(λ·Σw²)/∂w = 2λw"));
            if (r.WeightDecay > 0) body.Add(Stmt.Assign("p", p * c["keep"], "decoupled weight decay: w ← (1 − λ)·w"));
            if (r.L1 > 0) body.Add(Stmt.Assign("p", Expr.ShrinkTowardZero(p, c["l1Shift"]), "L1: toward zero by η·λ, never across it"));
            const string flushed = "stored as 0 below tiny: no subnormal state";
            switch (o.Kind)
            {
                case OptimizerKind.Momentum:
                {
                    var d = Expr.Local("d");
                    body.Add(Stmt.Var("d", c["gamma"] * Expr.Load("s0") + c["eta"] * g, "δ ← γδ + ηg"));
                    body.Add(Stmt.Store("s0", Expr.FlushBelowTiny(d), flushed));
                    body.Add(Stmt.Assign("p", p - d));
                    break;
                }
                case OptimizerKind.Nesterov:
                {
                    Expr d = Expr.Local("d"), dOld = Expr.Local("dOld");
                    body.Add(Stmt.Var("dOld", Expr.Load("s0")));
                    body.Add(Stmt.Var("d", c["gamma"] * dOld + c["eta"] * g, "δ ← γδ + η∇L(θ − γδ): g was taken at the stored look-ahead point"));
                    body.Add(Stmt.Store("s0", Expr.FlushBelowTiny(d), flushed));
                    body.Add(Stmt.Assign("p", p + c["gamma"] * dOld - c["onePlusGamma"] * d, "next look-ahead θ − γδ"));
                    break;
                }
                case OptimizerKind.Adagrad:
                {
                    var sum = Expr.Local("sum");
                    body.Add(Stmt.Var("sum", Expr.Load("s0") + g * g, "G ← G + g²"));
                    body.Add(Stmt.Store("s0", sum));
                    body.Add(Stmt.Assign("p", p - c["eta"] * g / Expr.Sqrt(sum + c["epsilon"])));
                    break;
                }
                case OptimizerKind.RmsProp:
                {
                    var mean = Expr.Local("mean");
                    body.Add(Stmt.Var("mean", c["rho"] * Expr.Load("s0") + c["oneMinusRho"] * (g * g), "G ← ρG + (1 − ρ)g²"));
                    body.Add(Stmt.Store("s0", Expr.FlushBelowTiny(mean), flushed));
                    body.Add(Stmt.Assign("p", p - c["eta"] * g / Expr.Sqrt(mean + c["epsilon"])));
                    break;
                }
                case OptimizerKind.Adam:
                {
                    Expr m = Expr.Local("m"), v = Expr.Local("v");
                    body.Add(Stmt.Var("m", c["beta1"] * Expr.Load("s0") + c["oneMinusBeta1"] * g));
                    body.Add(Stmt.Var("v", c["beta2"] * Expr.Load("s1") + c["oneMinusBeta2"] * (g * g)));
                    body.Add(Stmt.Store("s0", Expr.FlushBelowTiny(m), flushed));
                    body.Add(Stmt.Store("s1", Expr.FlushBelowTiny(v)));
                    body.Add(Stmt.Assign("p", p - c["etaC1"] * m / (Expr.Sqrt(v * c["c2"]) + c["epsilon"]), "η·m̂/(√v̂ + ε)"));
                    break;
                }
                default:
                    body.Add(Stmt.Assign("p", p - c["eta"] * g));
                    break;
            }
            body.Add(Stmt.Store("pr", p));
            body.Add(Stmt.CheckFinite(p));
            Elementwise.Write(w, body, lane);
        }
    }
}
