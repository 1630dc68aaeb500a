using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: the training API and the one-thread gradient pass.</summary>
    internal static partial class NetworkEmitter
    {
        private static void EmitTrainingApi(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            string labels = spec.OutputSize == 1 ? "0 or 1 per example (the single output's target)" : "a class in [0, OutputSize) per example (a one-hot target)";
            w.Line($"/// <summary>Forward and backward over 1..BatchSize examples (inputs row after row; labels: {labels}). Fills Gradients with the mean gradient and returns the mean loss; parameters are unchanged. A NaN or infinite input throws an ArgumentException naming the example, before anything changes.</summary>");
            using (w.Member("public float ComputeGradients(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<int> labels)"))
            {
                w.Line("int count = labels.Length;");
                w.Line("CheckBatch(inputs.Length, count, nameof(labels), labels.Length, 1);");
                w.Line("global::CompiledNet.CompilerServices.Kernels.CheckFinite(inputs, InputSize, nameof(inputs));");
                w.Line("ref float t = ref _targets.Data;");
                w.Line("for (int i = 0; i < count; i++) SetTarget(labels[i], i, ref global::System.Runtime.CompilerServices.Unsafe.Add(ref t, i * OutputSize), nameof(labels));");
                w.Line("return ComputeGradientsCore(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(inputs), count);");
            }
            w.Line();
            w.Line("/// <summary>As the label overload, with OutputSize target values per example (for softmax cross-entropy each row should sum to 1).</summary>");
            using (w.Member("public float ComputeGradients(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets)"))
            {
                w.Line("int count = targets.Length / OutputSize;");
                w.Line("if (targets.Length % OutputSize != 0) global::CompiledNet.CompilerServices.Kernels.ThrowWrongLength(nameof(targets), (count + 1) * OutputSize, targets.Length, \"a multiple of OutputSize\");");
                w.Line("CheckBatch(inputs.Length, count, nameof(targets), targets.Length, OutputSize);");
                w.Line("global::CompiledNet.CompilerServices.Kernels.CheckFinite(inputs, InputSize, nameof(inputs));");
                w.Line("global::CompiledNet.CompilerServices.Kernels.CheckFinite(targets, OutputSize, nameof(targets));");
                w.Line("targets.CopyTo(_targets);");
                w.Line("return ComputeGradientsCore(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(inputs), count);");
            }
            w.Line();
            w.Line("/// <summary>One optimizer step with the current Gradients and LearningRate (regularisers included; Gradients itself holds the loss gradient only).</summary>");
            using (w.Member("public void ApplyGradients()"))
            {
                OptimizerEmitter.EmitStepScalars(w, spec.Optimizer);
                if (plan.ParallelStep)
                {
                    using (w.Open("if (_trainingThreads > 1)"))
                    {
                        w.Line(spec.Optimizer.Kind == OptimizerKind.Adam ? "_stepEta = eta; _stepEtaC1 = etaC1; _stepC2 = c2;" : "_stepEta = eta;");
                        w.Line($"global::CompiledNet.CompilerServices.WorkerPool.Run(this, ref _parameters.Data, {Int(Phase.OptimizerStep)}, _trainingThreads);");
                        w.Line("float parts = 0f;");
                        w.Line("for (int k = 0; k < _trainingThreads; k++) parts += _partCheck[k];");
                        w.Line("_lastStepFinite = parts == 0f;");
                        w.Line("_step++;");
                        w.Line("return;");
                    }
                }
                w.Line("float check = 0f;");
                foreach (var fp in plan.Features.Layers)
                    if (fp.IsConv) w.Line($"check += {fp.Step}({OptimizerEmitter.Arguments(spec.Optimizer)}, 0, 1);");
                for (int l = 0; l < spec.Layers.Count; l++)
                    w.Line($"check += {plan.Layers[l].Step}({OptimizerEmitter.Arguments(spec.Optimizer)}, 0, 1);");
                w.Line("_lastStepFinite = check == 0f;");
                w.Line("_step++;");
            }
            w.Line();
            w.Line("private bool _lastStepFinite = true;");
            w.Line();
            w.Line("/// <summary>True when every parameter is finite after the last optimizer step: tested as the step writes each value, no extra pass.</summary>");
            w.MemberLine("public bool LastStepFinite => _lastStepFinite;");
            w.Line();
            w.Line("/// <summary>Forward, backward and optimizer step on 1..BatchSize examples; returns the batch's mean loss before the step.</summary>");
            using (w.Member("public float TrainBatch(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<int> labels)"))
            {
                w.Line("float loss = ComputeGradients(inputs, labels);");
                w.Line("ApplyGradients();");
                w.Line("return loss;");
            }
            w.Line();
            w.Line("/// <summary>As the label overload, with OutputSize target values per example.</summary>");
            using (w.Member("public float TrainBatch(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets)"))
            {
                w.Line("float loss = ComputeGradients(inputs, targets);");
                w.Line("ApplyGradients();");
                w.Line("return loss;");
            }
            w.Line();
        }

        private static void EmitTrainingCore(IndentedWriter w, NetworkPlan plan)
        {
            var vw = VectorWidth.Inline;
            var spec = plan.Spec;
            int n = spec.Layers.Count;
            string? single = plan.SingleThreadReason;
            w.Line("/// <summary>Forward through every layer, the loss gradient, then backward from the output layer down" + (single is null ? "; split across the training threads when the batch is large enough" : "") + ".</summary>");
            using (w.Member("private float ComputeGradientsCore(ref float x, int count)"))
            {
                string first = "x";
                if (spec.InputDropout > 0)
                {
                    DropoutEmitter.EmitForward(w, vw, "x", NetworkPlan.DroppedInputs, NetworkPlan.InputMask, spec.InputSize, spec.InputDropout, null);
                    first = $"{NetworkPlan.DroppedInputs}.Data";
                }
                foreach (var lp in plan.Layers)
                    if (lp.TransposedWeights is not null) w.Line($"{lp.TransposeWeights}();");
                if (single is null)
                    w.Line($"if (_trainingThreads > 1 && count >= SplitMinRows) return ComputeGradientsSplit(ref {first}, count);");
                w.Line($"return ComputeGradientsPart(ref {first}, 0, count, count, ref _gradients.Data);");
            }
            w.Line();
            w.Line("/// <summary>Rows [start, start + count) of a batch of total rows: forward, loss gradient (scaled by 1/total), backward into the gradient buffer g; returns this part's share of the mean loss.</summary>");
            using (w.Member("private float ComputeGradientsPart(ref float x, int start, int count, int total, ref float g)"))
            {
                string InputOf(int l) => plan.TrainingInput(l);
                foreach (var call in plan.FeatureForwardCalls()) w.Line(call);
                for (int l = 0; l < n; l++)
                    w.Line($"{plan.Layers[l].Forward}(ref {InputOf(l)}, start, count);");
                w.Line("float loss = LossAndDelta(start, count, total);");
                for (int l = n - 1; l >= 0; l--)
                    w.Line($"{plan.Layers[l].Backward}(ref {InputOf(l)}, start, count, ref g);");
                foreach (var call in plan.FeatureBackwardCalls()) w.Line(call);
                w.Line("return loss;");
            }
            w.Line();
            if (single is null) EmitSplit(w, plan);
        }
    }
}
