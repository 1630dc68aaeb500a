using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Batch normalisation of a dense layer (Ioffe and Szegedy, 2015, arXiv:1502.03167), all of it: its training buffers,
    /// the inference step with the population statistics (one row and batched), the training forward with the batch's
    /// statistics and the running averages, and the backward through it. The layer is split into three methods around
    /// it (see <see cref="DenseEmitter"/>) so that a split step can normalise over the whole batch between its parts.
    /// </summary>
    internal sealed class BatchNormEmitter : DenseOption
    {
        /// <summary>ε of batch normalisation's √(σ² + ε).</summary>
        public const float Epsilon = 1e-5f;

        /// <summary>Running statistics: new = Keep·old + (1 − Keep)·batch.</summary>
        public const float RunningKeep = 0.9f;

        public override bool IsActive(LayerSpec layer) => layer.BatchNorm;

        /// <summary>The layer's training buffers: x̂ for the backward pass and the batch's 1/√(σ² + ε).</summary>
        public override void EmitFields(IndentedWriter w, LayerPlan lp)
        {
            var layer = lp.Spec;
            DenseEmitter.BufferField(w, lp, lp.XHat, $"BatchSize * {Int(layer.Units)}", "normalised x̂ for batch-norm backward");
            DenseEmitter.BufferField(w, lp, lp.InvStd, Int(layer.Units), "1/√(σ² + ε) of the batch");
        }

        public override string InitNote(LayerSpec layer) => ", γ = 1, β = 0";

        /// <summary>γ = 1, β = 0 (β takes the bias's role), population mean 0 and variance 1.</summary>
        public override void EmitInit(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            int l = lp.Index, units = lp.Spec.Units;
            w.Line($"_parameters.Slice({Int(layout.GammaOffset[l])}, {Int(units)}).Fill(1f);");
            w.Line($"_parameters.Slice({Int(layout.BetaOffset[l])}, {Int(units)}).Clear();");
            w.Line($"_batchNormStatistics.Slice({Int(layout.StatisticsOffset[l])}, {Int(units)}).Clear();");
            w.Line($"_batchNormStatistics.Slice({Int(layout.StatisticsOffset[l] + units)}, {Int(units)}).Fill(1f);");
        }

        /// <summary>The statistics of a batch span all its rows: the layer's training passes are split around this option's steps.</summary>
        public override bool SpansBatch => true;

        /// <summary>A step split by inputs normalises the summed outputs on the calling thread, as one thread does.</summary>
        public override bool SharesInputs => true;

        public override string InferenceNote(LayerSpec layer) => ", batch norm with the population statistics";

        public override string? BatchBackwardNote => "batch norm (γ, β and the batch statistics)";

        /// <summary>
        /// y = γ·(z − μ)/√(σ² + ε) + β with the population μ, σ², in place over y: one row, or <c>count</c> rows of
        /// <c>output</c> when <paramref name="rows"/> is true. The caller has declared p and statistics.
        /// </summary>
        public override void EmitInference(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout, bool rows)
        {
            int l = lp.Index, units = lp.Spec.Units;
            w.Line(rows ? "// y = γ·(z − μ)/√(σ² + ε) + β with the population μ, σ², row by row" : "// y = γ·(z − μ)/√(σ² + ε) + β with the population μ, σ²");
            w.Line($"ref float gamma = ref {Refs.At("p", layout.GammaOffset[l])};");
            w.Line($"ref float beta = ref {Refs.At("p", layout.BetaOffset[l])};");
            w.Line($"ref float mean = ref {Refs.At("statistics", layout.StatisticsOffset[l])};");
            w.Line($"ref float variance = ref {Refs.At("statistics", layout.StatisticsOffset[l] + units)};");
            var epsilon = Elementwise.Declare(w, vw, "epsilon", Float(Epsilon), isConst: true);
            if (!rows)
            {
                Row(w, vw, units, epsilon);
                return;
            }
            using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
            {
                w.Line($"ref float y = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref output, row * {Int(units)});");
                Row(w, vw, units, epsilon);
            }
        }

        /// <summary>
        /// Batch normalisation in training: per unit, the batch mean μ and biased variance σ² (1/count) over the rows,
        /// x̂ = (z − μ)/√(σ² + ε) kept for backward, y = γ·x̂ + β written over z; the running averages move toward the
        /// batch statistics (variance unbiased by count/(count − 1)).
        /// </summary>
        public override void EmitBatchForward(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            string target = lp.LinearOutput;
            new VectorMethod("private", "void", lp.BatchNormForward, ("int", "count")).Emit(w, DenseEmitter.SummaryText(lp, layout, $"batch normalisation of {target} over the batch's rows [0, count) with their statistics"), vw =>
            {
                w.Line("ref float p = ref _parameters.Data;");
                w.Line($"ref float y = ref {DenseEmitter.First(target)};");
                Normalise(w, vw, lp, layout);
            });
        }

        /// <summary>The body of <see cref="EmitBatchForward"/> over ref y (the linear part of rows [0, count)) and ref p.</summary>
        private static void Normalise(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout)
        {
            int l = lp.Index, units = lp.Spec.Units;
            w.Line("// batch normalisation with the batch's statistics: x̂ = (z − μ)/√(σ² + ε), y = γ·x̂ + β; running averages updated");
            using (w.Open())
            {
                w.Line("nuint rows = (nuint)count;");
                var invCount = Elementwise.Declare(w, vw, "invCount", "1f / count", isConst: false);
                var unbias = Elementwise.Declare(w, vw, "unbias", "count > 1 ? (float)count / (count - 1) : 1f", isConst: false);
                var epsilon = Elementwise.Declare(w, vw, "epsilon", Float(Epsilon), isConst: true);
                var keep = Elementwise.Declare(w, vw, "keep", Float(RunningKeep), isConst: true);
                var take = Elementwise.Declare(w, vw, "take", Float(1f - RunningKeep), isConst: true);
                w.Line($"ref float gamma = ref {Refs.At("p", layout.GammaOffset[l])};");
                w.Line($"ref float beta = ref {Refs.At("p", layout.BetaOffset[l])};");
                w.Line($"ref float mean = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {DenseEmitter.First("_batchNormStatistics")}, {Int(layout.StatisticsOffset[l])});");
                w.Line($"ref float variance = ref {Refs.At("mean", units)};");
                DeclareBatchBuffers(w, lp);
                string row = $"r * {Int(units)}";
                Expr sum = Expr.Local("sum"), mu = Expr.Local("mu"), squares = Expr.Local("squares"), c = Expr.Local("c"),
                    sigma2 = Expr.Local("sigma2"), inv = Expr.Local("inv"), g = Expr.Local("g"), bt = Expr.Local("bt"), h = Expr.Local("h");
                Elementwise.Loop(w, vw, 0, units,
                    Stmt.Var("sum", Expr.Zero),
                    Stmt.ForRows(Stmt.AddTo("sum", Expr.Load("y", row))),
                    Stmt.Var("mu", sum * invCount),
                    Stmt.Var("squares", Expr.Zero),
                    Stmt.ForRows(Stmt.Var("c", Expr.Load("y", row) - mu), Stmt.AddTo("squares", c * c)),
                    Stmt.Var("sigma2", squares * invCount),
                    Stmt.Var("inv", Expr.One / Expr.Sqrt(sigma2 + epsilon)),
                    Stmt.Store("invStd", inv),
                    Stmt.Var("g", Expr.Load("gamma")),
                    Stmt.Var("bt", Expr.Load("beta")),
                    Stmt.ForRows(Stmt.Var("h", (Expr.Load("y", row) - mu) * inv), Stmt.Store("xhat", h, offset: row), Stmt.Store("y", g * h + bt, offset: row)),
                    Stmt.Store("mean", keep * Expr.Load("mean") + take * mu),
                    Stmt.Store("variance", keep * Expr.Load("variance") + take * (sigma2 * unbias)));
            }
        }

        /// <summary>
        /// Through batch normalisation, per unit over the rows (every output depends on every example's input):
        /// ∂β = Σ δ, ∂γ = Σ δ·x̂, δz = γ/(count·√(σ² + ε))·(count·δ − ∂β − x̂·∂γ), written over δ.
        /// </summary>
        public override void EmitBatchBackward(IndentedWriter w, LayerPlan lp, Layout layout)
        {
            new VectorMethod("private", "void", lp.BatchNormBackward, ("int", "count"), ("ref float", "g")).Emit(w, DenseEmitter.SummaryText(lp, layout, "backward through batch norm over the batch's rows [0, count): ∂γ and ∂β into g, δ becomes ∂L/∂z"), vw =>
            {
                w.Line($"ref float d = ref {DenseEmitter.First(lp.Deltas)};");
                w.Line("nuint rows = (nuint)count;");
                Backward(w, vw, lp, layout);
            });
        }

        /// <summary>The body of <see cref="EmitBatchBackward"/> over ref d (δ of rows [0, count)) and ref g.</summary>
        private static void Backward(IndentedWriter w, VectorWidth vw, LayerPlan lp, Layout layout)
        {
            int l = lp.Index, units = lp.Spec.Units;
            w.Line("// batch norm backward: ∂β = Σδ, ∂γ = Σδ·x̂, δz = γ·invStd/count·(count·δ − ∂β − x̂·∂γ)");
            using (w.Open())
            {
                var invCount = Elementwise.Declare(w, vw, "invCount", "1f / count", isConst: false);
                var countF = Elementwise.Declare(w, vw, "countF", "(float)count", isConst: false);
                w.Line($"ref float gamma = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {DenseEmitter.First("_parameters")}, {Int(layout.GammaOffset[l])});");
                w.Line($"ref float gGamma = ref {Refs.At("g", layout.GammaOffset[l])};");
                w.Line($"ref float gBeta = ref {Refs.At("g", layout.BetaOffset[l])};");
                DeclareBatchBuffers(w, lp);
                string row = $"r * {Int(units)}";
                Expr sumD = Expr.Local("sumD"), sumDx = Expr.Local("sumDx"), dv = Expr.Local("dv"), factor = Expr.Local("factor");
                Elementwise.Loop(w, vw, 0, units,
                    Stmt.Var("sumD", Expr.Zero),
                    Stmt.Var("sumDx", Expr.Zero),
                    Stmt.ForRows(Stmt.Var("dv", Expr.Load("d", row)), Stmt.AddTo("sumD", dv), Stmt.AddTo("sumDx", dv * Expr.Load("xhat", row))),
                    Stmt.Store("gBeta", sumD),
                    Stmt.Store("gGamma", sumDx),
                    Stmt.Var("factor", Expr.Load("gamma") * Expr.Load("invStd") * invCount),
                    Stmt.ForRows(Stmt.Store("d", factor * (countF * Expr.Load("d", row) - sumD - Expr.Load("xhat", row) * sumDx), offset: row)));
            }
        }

        /// <summary>Refs xhat and invStd: the layer's x̂ of the batch's rows and its 1/√(σ² + ε).</summary>
        private static void DeclareBatchBuffers(IndentedWriter w, LayerPlan lp)
        {
            w.Line($"ref float xhat = ref {DenseEmitter.First(lp.XHat)};");
            w.Line($"ref float invStd = ref {DenseEmitter.First(lp.InvStd)};");
        }

        /// <summary>y = (z − μ)·γ/√(σ² + ε) + β over one row of <paramref name="units"/> in place (refs gamma, beta, mean, variance, y).</summary>
        private static void Row(IndentedWriter w, VectorWidth vw, int units, Expr epsilon)
        {
            var scale = Expr.Local("scale");
            Elementwise.Loop(w, vw, 0, units,
                Stmt.Var("scale", Expr.Load("gamma") / Expr.Sqrt(Expr.Load("variance") + epsilon)),
                Stmt.Store("y", (Expr.Load("y") - Expr.Load("mean")) * scale + Expr.Load("beta")));
        }
    }
}
