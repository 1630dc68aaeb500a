using System.Collections.Generic;
using System.Linq;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: a training step split across threads: parts, batch-norm segments, masks drawn up front, RunPart.</summary>
    internal static partial class NetworkEmitter
    {
        private static void EmitSplit(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var segments = plan.Segments;
            w.Line($"/// <summary>Smallest batch split across threads: {Int(plan.SplitMinRows)} rows carry ≈ 2 MFLOP of matrix work (fewer cost more in hand-over than they save).</summary>");
            w.Line($"public const int SplitMinRows = {Int(plan.SplitMinRows)};");
            w.Line();
            if (plan.SplitsInputs)
            {
                EmitInputSplit(w, plan);
                return;
            }
            w.Line("private global::CompiledNet.CompilerServices.AlignedBuffer[] _partGradients = global::System.Array.Empty<global::CompiledNet.CompilerServices.AlignedBuffer>(); // parts 1.. (part 0 writes _gradients); allocated once per thread count");
            w.Line("private readonly float[] _partLoss = new float[global::CompiledNet.CompilerServices.WorkerPool.MaxThreads];");
            EmitStepFields(w, plan);
            w.Line("private int _splitCount, _splitChunk;");
            w.Line();
            EmitSplitStep(w, plan);
            if (segments is not null) EmitSplitSegments(w, plan);
            if (plan.HasMasks) EmitDrawMasks(w, plan);
            EmitRunPart(w, plan);
        }

        /// <summary>The fields of a shared optimizer step (<see cref="NetworkPlan.ParallelStep"/>): each part's finite check and the step's scalars.</summary>
        private static void EmitStepFields(IndentedWriter w, NetworkPlan plan)
        {
            if (!plan.ParallelStep) return;
            w.Line("private readonly float[] _partCheck = new float[global::CompiledNet.CompilerServices.WorkerPool.MaxThreads]; // each part's finite check of the shared step");
            w.Line(plan.Spec.Optimizer.Kind == OptimizerKind.Adam ? "private float _stepEta, _stepEtaC1, _stepC2; // the scalars of the step the parts are running" : "private float _stepEta; // the learning rate of the step the parts are running");
        }

        /// <summary>What a part runs of a shared optimizer step: its share of every layer's step, then its finite check.</summary>
        private static void EmitStepPart(IndentedWriter w, NetworkPlan plan)
        {
            string args = plan.Spec.Optimizer.Kind == OptimizerKind.Adam ? "_stepEta, _stepEtaC1, _stepC2" : "_stepEta";
            w.Line("float check = 0f;");
            foreach (var fp in plan.Features.Layers)
                if (fp.IsConv) w.Line($"check += {fp.Step}({args}, part, parts);");
            foreach (var lp in plan.Layers)
                w.Line($"check += {lp.Step}({args}, part, parts);");
            w.Line("_partCheck[part] = check;");
        }

        /// <summary>Grows a per-part buffer array (parts 1..) to parts − 1 buffers of <paramref name="size"/> floats, keeping those it has: allocated once per thread count.</summary>
        private static void EmitGrowPartBuffers(IndentedWriter w, string field, string size)
        {
            using (w.Open($"if ({field}.Length < parts - 1)"))
            {
                w.Line("var grown = new global::CompiledNet.CompilerServices.AlignedBuffer[parts - 1];");
                w.Line($"for (int k = 0; k < grown.Length; k++) grown[k] = k < {field}.Length ? {field}[k] : global::CompiledNet.CompilerServices.AlignedBuffer.Allocate({size});");
                w.Line($"{field} = grown;");
            }
        }

        /// <summary>The name of the generated helper that gives a part its range of a split layer's inputs.</summary>
        public const string InputRange = "InputRange";

        /// <summary>
        /// A step split by inputs (<see cref="NetworkPlan.SplitsInputs"/>): InputRange, the parts' output buffers,
        /// ComputeGradientsSplit (each hidden layer's parallel phase, the calling thread's work between them) and RunPart.
        /// </summary>
        private static void EmitInputSplit(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            int n = spec.Layers.Count;
            w.Line($"/// <summary>Most parts a split step uses: each owns at least {Int(NetworkPlan.InputBlock)} inputs of every hidden layer, and the narrowest input of a hidden layer has {Int(plan.InputParts * NetworkPlan.InputBlock)}.</summary>");
            w.Line($"private const int InputParts = {Int(plan.InputParts)};");
            w.Line();
            w.Line($"private global::CompiledNet.CompilerServices.AlignedBuffer[] _partOutputs = global::System.Array.Empty<global::CompiledNet.CompilerServices.AlignedBuffer>(); // parts 1..: their shares of a hidden layer's outputs (part 0 writes the layer's own); allocated once per thread count");
            EmitStepFields(w, plan);
            w.Line("private int _splitCount;");
            w.Line();
            w.Line("/// <summary>The inputs [from, to) of a layer with inputs inputs that part owns of parts: whole blocks of 4 inputs shared out as evenly as they go, the last part's ending at inputs.</summary>");
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (w.Member($"private static void {InputRange}(int inputs, int part, int parts, out nuint from, out nuint to)"))
            {
                w.Line("int blocks = inputs / 4;");
                w.Line("from = (nuint)(blocks * part / parts * 4);");
                w.Line("to = part == parts - 1 ? (nuint)inputs : (nuint)(blocks * (part + 1) / parts * 4);");
            }
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// A batch of count rows with each hidden layer's inputs shared among the parts: each part owns a range of the layer's");
            w.Line("/// weight rows (their gradient and, in a shared step, their update) and reads only its columns of the layer's input;");
            bool dropout = plan.Layers.Any(lp => lp.Spec.Dropout > 0);
            string applied = plan.HasBatchNorm ? "the bias or batch norm, the activation" + (dropout ? " and dropout" : "")
                : dropout ? "the bias, the activation and dropout" : "the bias and the activation";
            w.Line($"/// this thread adds the parts' outputs in part order, applies {applied} over the whole batch,");
            w.Line("/// and runs the output layer, the loss and the derivatives.");
            w.Line("/// </summary>");
            using (w.Member("private float ComputeGradientsSplit(ref float x, int count)"))
            {
                w.Line("const int start = 0; // the parts share inputs, not rows: every pass covers the whole batch");
                w.Line("int parts = global::System.Math.Min(_trainingThreads, InputParts);");
                EmitGrowPartBuffers(w, "_partOutputs", $"BatchSize * {Int(plan.WidestHidden)}");
                w.Line("_splitCount = count;");
                for (int l = 0; l < n - 1; l++)
                {
                    w.Line($"global::CompiledNet.CompilerServices.WorkerPool.Run(this, ref x, {Int(Phase.InputsForward(l))}, parts);");
                    w.Line($"{plan.Layers[l].SumParts}(count, parts);");
                }
                var output = plan.Output;
                w.Line($"{output.Forward}(ref {plan.TrainingInput(n - 1)}, start, count);");
                w.Line("float loss = LossAndDelta(start, count, count);");
                w.Line($"{output.Backward}(ref {plan.TrainingInput(n - 1)}, start, count, ref _gradients.Data);");
                for (int l = n - 2; l >= 0; l--)
                {
                    w.Line($"{plan.Layers[l].Delta}(count);");
                    w.Line($"global::CompiledNet.CompilerServices.WorkerPool.Run(this, ref x, {Int(Phase.InputsBackward(l))}, parts);");
                }
                w.Line("return loss;");
            }
            w.Line();
            w.Line($"/// <summary>Phase {Int(Phase.InputsForward(0))} + 2l: hidden layer l's share of the product over this part's inputs; {Int(Phase.InputsBackward(0))} + 2l: its weight-row and input gradients." + (plan.ParallelStep ? $" Phase {Int(Phase.OptimizerStep)}: this part's share of the optimizer step." : "") + "</summary>");
            using (w.Member("void global::CompiledNet.CompilerServices.IParallelStep.RunPart(int phase, int part, int parts, nint inputs)"))
            {
                if (n > 2) w.Line("const int start = 0; // the second hidden layer's input and later ones are read from row start");
                w.Line("int count = _splitCount;");
                w.Line("ref float x = ref global::CompiledNet.CompilerServices.WorkerPool.At(inputs);");
                using (w.Open("switch (phase)"))
                {
                    for (int l = 0; l < n - 1; l++)
                    {
                        var lp = plan.Layers[l];
                        w.Line($"case {Int(Phase.InputsForward(l))}: {lp.ForwardInputs}(ref {plan.TrainingInput(l)}, ref (part == 0 ? {lp.Activations} : _partOutputs[part - 1]).Data, count, part, parts); break;");
                        w.Line($"case {Int(Phase.InputsBackward(l))}: {lp.BackwardInputs}(ref {plan.TrainingInput(l)}, count, part, parts); break;");
                    }
                    if (plan.ParallelStep)
                    {
                        w.Line($"case {Int(Phase.OptimizerStep)}:");
                        using (w.Open())
                        {
                            EmitStepPart(w, plan);
                            w.Line("break;");
                        }
                    }
                    w.Line("default: throw new global::System.ArgumentOutOfRangeException(nameof(phase), phase, \"Not a phase of this network's step.\");");
                }
            }
            w.Line();
        }

        /// <summary>ComputeGradientsSplit and its state: the parts, the phases, the gradient reduction.</summary>
        private static void EmitSplitStep(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var segments = plan.Segments;
            w.Line("/// <summary>");
            w.Line("/// A batch of count rows as parts of whole 4-row blocks, one per thread; then the gradient reduction, each thread");
            w.Line("/// summing one range of parameters over the parts in part order, so the result is the same on every run.");
            w.Line("/// </summary>");
            using (w.Member("private float ComputeGradientsSplit(ref float x, int count)"))
            {
                w.Line("int chunk = ((count + _trainingThreads - 1) / _trainingThreads + 3) & ~3;");
                w.Line("int parts = (count + chunk - 1) / chunk;");
                EmitGrowPartBuffers(w, "_partGradients", "ParameterCount");
                w.Line("_splitCount = count;");
                w.Line("_splitChunk = chunk;");
                var phases = new List<string>();
                if (segments is null)
                    phases.Add($"global::CompiledNet.CompilerServices.WorkerPool.Run(this, ref x, {Int(Phase.WholePass)}, parts);");
                else
                {
                    phases.Add("// batch norm: the parts run each segment over their rows; between segments this thread normalises over the whole batch");
                    for (int k = 0; k < segments.Count; k++)
                    {
                        phases.Add($"global::CompiledNet.CompilerServices.WorkerPool.Run(this, ref x, {Int(Phase.FirstSegment + k)}, parts);");
                        if (segments[k].SerialAfter is { } serial) phases.Add(serial.Statement);
                    }
                }
                if (plan.HasMasks)
                {
                    w.Line("// the masks of every layer for the whole batch, drawn here in the order a one-thread step draws them:");
                    w.Line("// the same seed gives the same masks for every thread count");
                    w.Line("DrawMasks(count);");
                    w.Line("_masksDrawn = true;");
                    using (w.Open("try"))
                        foreach (var line in phases) w.Line(line);
                    w.Line("finally { _masksDrawn = false; }");
                }
                else
                    foreach (var line in phases) w.Line(line);
                w.Line($"global::CompiledNet.CompilerServices.WorkerPool.Run(this, ref x, {Int(Phase.GradientSum)}, parts);");
                w.Line("float loss = _partLoss[0];");
                w.Line("for (int k = 1; k < parts; k++) loss += _partLoss[k];");
                w.Line("return loss;");
            }
            w.Line();
        }

        /// <summary>The segments of a split batch-normalised step, one method each.</summary>
        private static void EmitSplitSegments(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var segments = plan.Segments!;
            for (int k = 0; k < segments.Count; k++)
            {
                var segment = segments[k];
                w.Line($"/// <summary>Split step, segment {Int(k + 1)} of {Int(segments.Count)}: rows [start, start + count) of total, gradients into g{(segment.SerialAfter is null ? "" : "; then the calling thread runs " + segment.SerialAfter.Method + " over the whole batch")}.</summary>");
                using (w.Member($"private float Segment{Int(k + 1)}(ref float x, int start, int count, int total, ref float g)"))
                {
                    w.Line("float loss = 0f;");
                    foreach (var line in segment.Calls) w.Line(line);
                    w.Line("return loss;");
                }
                w.Line();
            }
        }

        /// <summary>DrawMasks: a split step draws every mask before its parts start, in the order a one-thread step draws them.</summary>
        private static void EmitDrawMasks(IndentedWriter w, NetworkPlan plan)
        {
            w.Line("/// <summary>Dropout and DropConnect masks of a split step, layer by layer (unless masks are reused); DropConnect's W ⊙ mask too.</summary>");
            using (w.Member("private void DrawMasks(int count)"))
            {
                foreach (var fp in plan.Features.Layers)
                    ConvDropoutEmitter.EmitSplitDrawMask(w, fp);
                foreach (var layer in plan.Layers)
                    DenseEmitter.EmitDrawMasks(w, layer);
            }
            w.Line();
        }

        /// <summary>IParallelStep.RunPart: what a part runs in each phase.</summary>
        private static void EmitRunPart(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var segments = plan.Segments;
            w.Line($"/// <summary>Phase {Int(Phase.WholePass)}" + (segments is null ? "" : $" ({Int(Phase.FirstSegment)}…: segment by segment)") + $": forward and backward over this part's rows. Phase {Int(Phase.GradientSum)}: this part's range of the gradient sum." + (plan.ParallelStep ? $" Phase {Int(Phase.OptimizerStep)}: its share of the optimizer step." : "") + "</summary>");
            using (w.Member("void global::CompiledNet.CompilerServices.IParallelStep.RunPart(int phase, int part, int parts, nint inputs)"))
            {
                using (w.Open(segments is null ? $"if (phase == {Int(Phase.WholePass)})" : $"if (phase >= {Int(Phase.FirstSegment)})"))
                {
                    w.Line("int start = part * _splitChunk;");
                    w.Line("int rows = global::System.Math.Min(_splitChunk, _splitCount - start);");
                    w.Line("ref float g = ref (part == 0 ? _gradients : _partGradients[part - 1]).Data;");
                    w.Line("ref float x = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref global::CompiledNet.CompilerServices.WorkerPool.At(inputs), (nuint)start * InputSize);");
                    if (segments is null)
                        w.Line("_partLoss[part] = ComputeGradientsPart(ref x, start, rows, _splitCount, ref g);");
                    else
                        using (w.Open("switch (phase)"))
                            for (int k = 0; k < segments.Count; k++)
                            {
                                bool hasLoss = segments[k].ComputesLoss;
                                w.Line($"case {Int(Phase.FirstSegment + k)}: {(hasLoss ? "_partLoss[part] = " : "")}Segment{Int(k + 1)}(ref x, start, rows, _splitCount, ref g); break;");
                            }
                }
                if (plan.ParallelStep)
                {
                    using (w.Open($"else if (phase == {Int(Phase.OptimizerStep)})"))
                    {
                        w.Line("// the optimizer step, each part on its share of every parameter segment");
                        EmitStepPart(w, plan);
                    }
                }
                using (w.Open("else"))
                {
                    w.Line("int per = ((ParameterCount + parts - 1) / parts + 7) & ~7;");
                    w.Line("int from = part * per, to = global::System.Math.Min(ParameterCount, from + per);");
                    w.Line("if (from >= to) return;");
                    w.Line("var sum = _gradients.Slice(from, to - from);");
                    w.Line("for (int k = 1; k < parts; k++) global::CompiledNet.CompilerServices.Kernels.AddTo(sum, (_partGradients[k - 1]).Slice(from, to - from));");
                }
            }
            w.Line();
        }
    }
}
