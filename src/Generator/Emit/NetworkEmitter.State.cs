using System.Collections.Generic;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: the class constants, checkpoint members, fields and state properties, the constructor, thread-count properties.</summary>
    internal static partial class NetworkEmitter
    {
        private static void EmitState(IndentedWriter w, NetworkPlan plan)
        {
            EmitConstants(w, plan);
            EmitCheckpointMembers(w, plan);
            EmitFields(w, plan);
            EmitStateProperties(w, plan);
            if (plan.HasMasks) EmitMaskMembers(w, plan);
            EmitOptimizerMembers(w, plan);
        }

        /// <summary>InputSize, OutputSize, BatchSize, ParameterCount, Architecture, Fingerprint and the layer table.</summary>
        private static void EmitConstants(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.Line("/// <summary>Number of input features of one example.</summary>");
            w.Line($"public const int InputSize = {Int(spec.InputSize)};");
            w.Line("/// <summary>Number of outputs of one example.</summary>");
            w.Line($"public const int OutputSize = {Int(spec.OutputSize)};");
            w.Line("/// <summary>Largest number of examples in one training step.</summary>");
            w.Line($"public const int BatchSize = {Int(spec.BatchSize)};");
            w.Line("/// <summary>Number of trainable parameters.</summary>");
            w.Line($"public const int ParameterCount = {Int(layout.ParameterCount)};");
            w.Line("/// <summary>The declaration in words (checkpoint messages name it).</summary>");
            w.Line($"public const string Architecture = \"{Describer.Architecture(spec)}\";");
            w.Line("/// <summary>FNV-1a 64 of the canonical declaration: every shape and option. A checkpoint saved by another declaration is refused.</summary>");
            w.Line($"public const ulong Fingerprint = 0x{Describer.Fingerprint(spec):X16}UL;");
            w.Line();
            w.Line("private static readonly global::CompiledNet.LayerDescription[] s_layers =");
            using (w.Open())
            {
                for (int l = 0; l < spec.Layers.Count; l++)
                {
                    var layer = spec.Layers[l];
                    w.Line($"new() {{ Inputs = {Int(layer.Inputs)}, Units = {Int(layer.Units)}, Activation = global::CompiledNet.Activation.{layer.Activation}, Pieces = {Int(layer.Pieces)}, BatchNorm = {(layer.BatchNorm ? "true" : "false")}, Bias = {(layer.Bias ? "true" : "false")}, "
                        + $"WeightOffset = {Int(layout.WeightOffset[l])}, BiasOffset = {(layout.BiasOffset[l] < 0 ? "null" : Int(layout.BiasOffset[l]))}, GammaOffset = {(layout.GammaOffset[l] < 0 ? "null" : Int(layout.GammaOffset[l]))}, BetaOffset = {(layout.BetaOffset[l] < 0 ? "null" : Int(layout.BetaOffset[l]))}, StatisticsOffset = {(layout.StatisticsOffset[l] < 0 ? "null" : Int(layout.StatisticsOffset[l]))} }},");
                }
            }
            w.Line(";");
            w.MemberLine("global::System.Collections.Generic.IReadOnlyList<global::CompiledNet.LayerDescription> global::CompiledNet.ICompiledNetwork.Layers => s_layers;");
            w.Line();
        }

        /// <summary>The explicit ICompiledNetwork, INetwork and ITrainable members.</summary>
        private static void EmitCheckpointMembers(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.MemberLine("ulong global::CompiledNet.ICompiledNetwork.Fingerprint => Fingerprint;");
            w.MemberLine("string global::CompiledNet.ICompiledNetwork.Architecture => Architecture;");
            w.MemberLine("void global::CompiledNet.ICompiledNetwork.RestoreStep(long step) => _step = step >= 0 ? step : throw new global::System.ArgumentOutOfRangeException(nameof(step), step, \"Steps are counted from 0.\");");
            if (plan.HasMasks)
                using (w.Open("global::CompiledNet.RngState? global::CompiledNet.ICompiledNetwork.MaskGeneratorState"))
                {
                    w.Line("get => _maskRng.State;");
                    w.Line("set => _maskRng.State = value ?? throw new global::System.ArgumentNullException(nameof(value), \"This network draws masks; its generator state cannot be null.\");");
                }
            else
                using (w.Open("global::CompiledNet.RngState? global::CompiledNet.ICompiledNetwork.MaskGeneratorState"))
                {
                    w.Line("get => null;");
                    w.Line("set { if (value is not null) throw new global::System.ArgumentException(\"This network draws no masks.\", nameof(value)); }");
                }
            w.Line();
            w.MemberLine("int global::CompiledNet.INetwork.InputSize => InputSize;");
            w.MemberLine("int global::CompiledNet.INetwork.OutputSize => OutputSize;");
            w.MemberLine("int global::CompiledNet.ITrainable.BatchSize => BatchSize;");
            w.MemberLine("int global::CompiledNet.ITrainable.ParameterCount => ParameterCount;");
            w.Line();
        }

        /// <summary>The state: parameters, gradients, training buffers (each layer kind adds its own), statistics, targets, optimizer state.</summary>
        private static void EmitFields(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.Line("private readonly global::CompiledNet.CompilerServices.AlignedBuffer _parameters = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(ParameterCount);");
            w.Line("private readonly global::CompiledNet.CompilerServices.AlignedBuffer _gradients = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(ParameterCount);");
            string? single = plan.SingleThreadReason;
            if (single is null)
                w.Line("private int _trainingThreads = global::CompiledNet.CompilerServices.WorkerPool.DefaultThreads;");
            w.Line("// Training buffers, BatchSize rows each: a = layer outputs, d = ∂L/∂a (∂L/∂z once the activation derivative is applied).");
            for (int l = 0; l < n; l++)
            {
                string size = $"BatchSize * {Int(spec.Layers[l].Units)}";
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {plan.Layers[l].Activations} = {NewBuffer(size)};");
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {plan.Layers[l].Deltas} = {NewBuffer(size)};");
            }
            w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {plan.Output.Logits} = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(BatchSize * OutputSize); // output logits");
            for (int l = 0; l < n; l++)
                LayerEmitters.For(spec.Layers[l]).EmitFields(w, new LayerContext(plan, plan.Layers[l]));
            if (plan.Features.Any) ConvEmitter.EmitState(w, plan.Features);
            if (spec.InputDropout > 0)
            {
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {NetworkPlan.InputMask} = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(BatchSize * InputSize); // input dropout: 0 or 1/(1 − p)");
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer {NetworkPlan.DroppedInputs} = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(BatchSize * InputSize); // inputs after dropout");
            }
            if (layout.StatisticsCount > 0)
            {
                w.Line("// Batch-norm population statistics (mean, then variance, per normalised layer): running averages of training, or an exact pass.");
                w.Line($"private readonly global::CompiledNet.CompilerServices.AlignedBuffer _batchNormStatistics = {NewBuffer(Int(layout.StatisticsCount))};");
            }
            else
                w.Line("private readonly global::CompiledNet.CompilerServices.AlignedBuffer _batchNormStatistics = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(0); // no batch-normalised layer");
            if (plan.HasMasks)
                w.Line("private readonly global::CompiledNet.Rng _maskRng;");
            w.Line("private readonly global::CompiledNet.CompilerServices.AlignedBuffer _targets = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(BatchSize * OutputSize);");
            int slots = spec.Optimizer.StateSlots;
            string slotNames = SlotNames(spec.Optimizer.Kind);
            w.Line($"// Optimizer state: {slotNames}; each slot laid out like the parameters.");
            w.Line(slots switch
            {
                0 => "private readonly global::CompiledNet.CompilerServices.AlignedBuffer _optimizerState = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(0);",
                1 => "private readonly global::CompiledNet.CompilerServices.AlignedBuffer _optimizerState = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(ParameterCount);",
                _ => $"private readonly global::CompiledNet.CompilerServices.AlignedBuffer _optimizerState = global::CompiledNet.CompilerServices.AlignedBuffer.Allocate({Int(slots)} * ParameterCount);",
            });
            w.Line($"private float _learningRate = {Float(spec.Optimizer.LearningRate)};");
            w.Line("private long _step;");
            w.Line();
        }

        /// <summary>LearningRate, TrainingThreads, Step, Parameters, Gradients, TrainingActivations, TrainingMaxoutWinners, BatchNormStatistics.</summary>
        private static void EmitStateProperties(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.Line("/// <summary>Learning rate of the next optimizer step (initially the declared one); must be positive and finite.</summary>");
            using (w.Member("public float LearningRate"))
            {
                w.Line("get => _learningRate;");
                using (w.Open("set"))
                {
                    w.Line("if (!(value > 0f) || float.IsInfinity(value))");
                    w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"The learning rate must be positive and finite.\");");
                    w.Line("_learningRate = value;");
                }
            }
            w.Line();
            string? singleReason = plan.SingleThreadReason;
            w.Line("/// <summary>");
            if (singleReason is null && plan.SplitsInputs)
            {
                w.Line("/// Threads a training step uses (default: the machine's logical processors, at most WorkerPool.MaxThreads). A batch");
                w.Line($"/// of at least SplitMinRows rows is computed by that many parts (at most {Int(plan.InputParts)}) on process-wide worker threads, each");
                w.Line("/// owning a range of every hidden layer's inputs (its weight rows), and their shares of each layer's outputs summed in");
                w.Line("/// a fixed order: for a given seed and thread count every run gives the same bits; another thread count gives the");
                w.Line("/// same result up to float rounding (the sums are cut into other pieces).");
            }
            else if (singleReason is null)
            {
                w.Line("/// Threads a training step uses (default: the machine's logical processors, at most WorkerPool.MaxThreads). A batch");
                w.Line("/// of at least SplitMinRows rows is split into that many row ranges on process-wide worker threads, and the gradient");
                w.Line("/// summed in a fixed order: for a given seed and thread count every run gives the same bits; another thread count");
                w.Line("/// gives the same result up to float rounding (the sum runs in another order).");
            }
            else
            {
                w.Line($"/// Threads a training step uses: always 1 for this network ({singleReason}); setting another valid count");
                w.Line("/// changes nothing, so code written for any network can set it.");
            }
            w.Line("/// </summary>");
            EmitThreadCount(w, "TrainingThreads", singleReason is null ? "_trainingThreads" : "1", singleReason is null ? "_trainingThreads" : null);
            w.Line();
            w.Line("/// <summary>Number of optimizer steps taken so far.</summary>");
            w.MemberLine("public long Step => _step;");
            w.Line();
            w.Line("/// <summary>All parameters in one flat buffer (layout in the class remarks). Writable: checkpoints and tests set it.</summary>");
            w.MemberLine("public global::System.Span<float> Parameters => _parameters;");
            w.Line();
            w.Line("/// <summary>The gradient of the last ComputeGradients or TrainBatch, laid out like <see cref=\"Parameters\"/>.</summary>");
            w.MemberLine("public global::System.Span<float> Gradients => _gradients;");
            w.Line();
            w.Line("/// <summary>Outputs of layer <paramref name=\"layer\"/> (1-based, after its activation, before dropout) for the examples of the last training step, row after row.</summary>");
            w.MemberLine("public global::System.ReadOnlySpan<float> TrainingActivations(int layer) => layer switch");
            w.Line("{");
            for (int l = 0; l < n; l++) w.Line($"    {Int(l + 1)} => {plan.Layers[l].Activations},");
            w.Line("    _ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"Layers are numbered from 1.\"),");
            w.Line("};");
            w.Line();
            w.Line("/// <summary>For a maxout layer: the winning piece (0-based) of each unit for the examples of the last training step, row after row; empty for other layers.</summary>");
            w.MemberLine("public global::System.ReadOnlySpan<int> TrainingMaxoutWinners(int layer) => layer switch");
            w.Line("{");
            for (int l = 0; l < n; l++)
                if (spec.Layers[l].Activation == ActivationKind.Maxout) w.Line($"    {Int(l + 1)} => {plan.Layers[l].Winners},");
            w.Line($"    >= 1 and <= {Int(n)} => global::System.ReadOnlySpan<int>.Empty,");
            w.Line("    _ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"Layers are numbered from 1.\"),");
            w.Line("};");
            w.Line();
            w.Line("/// <summary>Batch-norm population statistics used by inference: per normalised layer, the mean then the variance of each unit (empty without batch norm).</summary>");
            w.MemberLine("public global::System.Span<float> BatchNormStatistics => _batchNormStatistics;");
            w.Line();
        }

        /// <summary>ReuseMasks and the masks of the last step (networks that draw masks only).</summary>
        private static void EmitMaskMembers(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.Line("/// <summary>When true, training steps reuse the last dropout and DropConnect masks instead of drawing new ones (for gradient checks and analysis).</summary>");
            w.MemberLine("public bool ReuseMasks { get; set; }");
            w.Line();
            w.Line(plan.SingleThreadReason is not null ? "private const bool _masksDrawn = false; // this network never splits a step: each pass draws its own masks"
                : plan.SplitsInputs ? "private const bool _masksDrawn = false; // a step split by inputs draws each mask on the calling thread, as one thread does"
                : "private bool _masksDrawn; // set while a split step's parts run: DrawMasks has drawn this batch's masks");
            w.Line();
            w.Line("/// <summary>The dropout mask of the last training step (0 or 1/(1 − p) per unit and example): layer 0 is the input, 1.. the hidden layers.</summary>");
            using (w.Member("public global::System.ReadOnlySpan<float> DropoutMask(int layer) => layer switch"))
            {
                if (spec.InputDropout > 0) w.Line($"0 => {NetworkPlan.InputMask},");
                for (int l = 0; l < n; l++)
                    if (spec.Layers[l].Dropout > 0) w.Line($"{Int(l + 1)} => {plan.Layers[l].DropoutMask},");
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"That layer has no dropout.\"),");
            }
            w.Line(";");
            w.Line();
            if (plan.Features.Any) ConvDropoutEmitter.EmitMaskAccessor(w, plan.Features);
            w.Line("/// <summary>The DropConnect mask of the last training step (0 or 1/(1 − p) per weight, laid out like the layer's weights).</summary>");
            using (w.Member("public global::System.ReadOnlySpan<float> DropConnectMask(int layer) => layer switch"))
            {
                for (int l = 0; l < n; l++)
                    if (spec.Layers[l].DropConnect > 0) w.Line($"{Int(l + 1)} => {plan.Layers[l].DropConnectMask},");
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"That layer has no DropConnect.\"),");
            }
            w.Line(";");
            w.Line();
        }

        /// <summary>OptimizerState and DeclaredSchedule.</summary>
        private static void EmitOptimizerMembers(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            int n = spec.Layers.Count;
            w.Line($"/// <summary>The optimizer's state: {SlotNames(spec.Optimizer.Kind)}; each slot laid out like <see cref=\"Parameters\"/>.</summary>");
            w.MemberLine("public global::System.Span<float> OptimizerState => _optimizerState;");
            w.Line();
            var o = spec.Optimizer;
            if (o.Decay != 1f)
            {
                w.Line($"/// <summary>The declared schedule: η_e = η_0·{Number(o.Decay)}^⌊e / {Int(o.DecayEvery)}⌋ for the 0-based epoch e; the training loop applies it.</summary>");
                w.MemberLine($"public global::CompiledNet.LearningRateSchedule DeclaredSchedule {{ get; }} = global::CompiledNet.LearningRateSchedule.Step({Int(o.DecayEvery)}, {Float(o.Decay)});");
            }
            else
            {
                w.Line("/// <summary>No schedule is declared: the learning rate stays constant unless the training options give one.</summary>");
                w.MemberLine("public global::CompiledNet.LearningRateSchedule? DeclaredSchedule => null;");
            }
            w.Line();
        }

        /// <summary>What each optimizer state slot holds, in words.</summary>
        private static string SlotNames(OptimizerKind kind) => kind switch
        {
            OptimizerKind.Momentum or OptimizerKind.Nesterov => "the velocity δ",
            OptimizerKind.Adagrad => "the running sum G of g²",
            OptimizerKind.RmsProp => "the running average G of g²",
            OptimizerKind.Adam => "the first moment m, then the second moment v",
            _ => "nothing (plain SGD keeps no state)",
        };

        private static void EmitConstructor(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            var layout = plan.Layout;
            w.Line("/// <summary>Allocates all state once and draws the initial weights from a generator seeded with <paramref name=\"seed\"/>; biases start at zero.</summary>");
            using (w.Member($"public {spec.ClassName}(long seed = 0)"))
            {
                w.Line("var rng = new global::CompiledNet.Rng(seed);");
                if (plan.HasMasks)
                    w.Line("_maskRng = new global::CompiledNet.Rng(seed ^ 0x6D61736BL); // dropout masks: their own stream, so masks never shift the initial weights");
                foreach (var fp in plan.Features.Layers)
                    if (fp.IsConv) w.Line($"{fp.Init}(rng);");
                for (int l = 0; l < spec.Layers.Count; l++)
                    w.Line($"{plan.Layers[l].Init}(rng);");
            }
            w.Line();
        }

        /// <summary>A thread-count property: refuses counts outside 1..MaxThreads with the value; stores it in <paramref name="field"/> unless that is null.</summary>
        private static void EmitThreadCount(IndentedWriter w, string name, string getter, string? field)
        {
            using (w.Member($"public int {name}"))
            {
                w.Line($"get => {getter};");
                using (w.Open("set"))
                {
                    w.Line("if (value < 1 || value > global::CompiledNet.CompilerServices.WorkerPool.MaxThreads)");
                    w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"Between 1 and \" + global::CompiledNet.CompilerServices.WorkerPool.MaxThreads + \" threads.\");");
                    if (field is not null) w.Line($"{field} = value;");
                }
            }
        }
    }
}
