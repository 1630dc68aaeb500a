using System.Collections.Generic;
using System.Linq;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Every decision about a network's generated code that is not the text itself, made once from its
    /// <see cref="NetworkSpec"/> before anything is written (as the Regex generator analyses a pattern before emitting
    /// it): where the parameters sit, the name of every buffer, whether and how a step is split across threads, and the
    /// segments of a split batch-normalised step. Emitters read the plan; they never re-derive these decisions.
    /// </summary>
    internal sealed class NetworkPlan
    {
        /// <summary>
        /// The most floats (64 KiB) one buffer of one-row inference may take on the stack: the hidden activations, the
        /// first dense layer's input after convolution layers, one maxout layer's pieces, and the output buffers of a call
        /// together. A larger one lives in a per-thread buffer allocated once, so inference stays free of allocations and
        /// safe to call from several threads; a prediction never takes more than 4 × 64 KiB of stack.
        /// </summary>
        public const int StackFloats = 16384;

        /// <summary>The most buffers of OutputSize floats one call of the one-row API holds at once: Loss's target, then the logits and outputs.</summary>
        public const int OutputBuffers = 3;

        /// <summary>Rows per chunk of PredictBatch: a chunk's activations of a 256-unit layer fill L1 (32 KiB).</summary>
        public const int PredictChunk = 32;

        /// <summary>
        /// Rows per chunk of a PredictBatch whose dense layers run through the packed matrix product (Gemm.Multiply):
        /// 16 of its 6-row blocks share each part of a weight panel loaded into L1; the chunk's activations stay in L2.
        /// </summary>
        public const int PackedChunk = 96;

        /// <summary>
        /// Smallest PredictBatch (rows on one thread) that packs its dense layers' weights first: packing copies every
        /// weight once per call (≈ the time of a few rows' inference), which fewer rows do not repay.
        /// </summary>
        public const int PackMinRows = 48;

        /// <summary>
        /// Rows a thread claims at a time from a PredictBatch shared among threads (WorkerPool.TryRunRows): 8 of Gemm's
        /// 6-row blocks, small enough that a slower core ends at most one such chunk behind, large enough that each claim
        /// runs whole blocks through every weight panel.
        /// </summary>
        public const int SharedChunk = 48;

        /// <summary>
        /// Matrix work (forward, weight gradient, input gradient) below which a batch is not split across threads:
        /// handing a phase to a worker and back costs a few microseconds, so each part must carry ≈ 10 µs of work.
        /// </summary>
        public const double SplitMinFlop = 2_000_000;

        /// <summary>Parameters below which the optimizer step stays on one thread (≈ 5 µs of work for SGD).</summary>
        public const int ParallelStepMinParameters = 65536;

        /// <summary>Input dropout: the mask, 0 or 1/(1 − p) per input and example.</summary>
        public const string InputMask = "_inputMask";

        /// <summary>Input dropout: the inputs after dropout, the first layer's training input.</summary>
        public const string DroppedInputs = "_droppedInputs";

        private NetworkPlan(NetworkSpec spec)
        {
            Spec = spec;
            Layout = new Layout(spec);
            Features = new FeaturePlans(spec);
            int n = spec.Layers.Count;
            Layers = Enumerable.Range(0, n).Select(l => new LayerPlan(spec, l, Features.Any ? Features.Last.Deltas : null)).ToArray();
            Output = Layers[n - 1];
            HasMasks = spec.InputDropout > 0 || spec.Layers.Any(l => l.Dropout > 0 || l.DropConnect > 0) || spec.Features.Any(f => f.Dropout > 0);
            HasBatchNorm = spec.Layers.Any(l => l.BatchNorm) || spec.Features.Any(f => f.BatchNorm);
            HiddenUnits = spec.Layers.Take(n - 1).Sum(l => l.Units);
            HiddenOnStack = HiddenUnits <= StackFloats;
            OutputsOnStack = OutputBuffers * spec.OutputSize <= StackFloats;
            WidestMaxoutPieces = spec.Layers.Where(l => l.Activation == ActivationKind.Maxout).Select(l => l.Width).DefaultIfEmpty(0).Max();
            PredictScratch = PackedChunk * (HiddenUnits + spec.OutputSize + WidestMaxoutPieces);

            double featureFlop = FeaturePlans.ForwardFlop(spec);
            double trainingFlopPerRow = 3 * featureFlop, inferenceFlopPerRow = featureFlop;
            for (int l = 0; l < n; l++)
            {
                double product = 2.0 * spec.Layers[l].Inputs * spec.Layers[l].Width;
                trainingFlopPerRow += product * (l == 0 ? 2 : 3);
                inferenceFlopPerRow += product;
            }
            SplitMinRows = System.Math.Max(8, (int)System.Math.Ceiling(SplitMinFlop / System.Math.Max(trainingFlopPerRow, 1)));
            int perPart = (int)System.Math.Ceiling(SplitMinFlop / System.Math.Max(inferenceFlopPerRow, 1));
            // Two shared chunks at least, so never below PackMinRows: a shared batch always runs on packed weights (same bits as one thread).
            PredictSplitMinRows = System.Math.Max(PackMinRows, 2 * ((perPart + SharedChunk - 1) / SharedChunk * SharedChunk));
            SingleThreadReason = SplitMinRows > spec.BatchSize ? "a whole batch is too little work to share (under 2 MFLOP)" : null;
            ParallelStep = SplitsBatch && Layout.ParameterCount >= ParallelStepMinParameters;
            // Per row: the hidden layers' forward, weight gradient and input gradient are shared by input ranges; the
            // output layer's passes, the sums of the parts' outputs, batch norm, dropout and the activation derivatives
            // run on the calling thread (batch norm ≈ 12 operations per unit and row, forward and backward).
            var hidden = Layers.Take(n - 1).ToList();
            double shared = hidden.Sum(lp => (lp.HasInputGradient ? 6.0 : 4.0) * lp.Spec.Inputs * lp.Spec.Width);
            double serial = 6.0 * Output.Spec.Inputs * Output.Spec.Width
                + hidden.Sum(lp => (4.0 + (lp.SpansBatch ? 12.0 : 0.0) + (lp.Spec.Dropout > 0 ? 2.0 : 0.0)) * lp.Spec.Width);
            SplitsInputs = SplitsBatch && !Features.Any && hidden.Count > 0
                && Layers.All(lp => lp.Options.All(o => o.SharesInputs) && lp.Units is ActivationUnits)
                && hidden.All(lp => lp.TransposedWeights is null && lp.Spec.Inputs >= 2 * InputBlock)
                && shared >= InputShareMin * serial;
            Segments = SplitsBatch && HasBatchNorm && !SplitsInputs ? BuildSegments() : null;
            InputParts = SplitsInputs ? hidden.Min(lp => lp.Spec.Inputs / InputBlock) : 1;
            WidestHidden = hidden.Select(lp => lp.Spec.Width).DefaultIfEmpty(0).Max();
            foreach (var lp in hidden) lp.SplitsInputs = SplitsInputs;
        }

        /// <summary>Inputs (weight rows) a part of a split-by-inputs step owns at least: a multiple of the weight gradient's block of 4 inputs.</summary>
        public const int InputBlock = 16;

        /// <summary>
        /// A step splits by inputs only where the work it shares is at least this many times the work left to the calling
        /// thread (the output layer's passes, the sums of the parts' outputs, the activation derivatives).
        /// </summary>
        public const double InputShareMin = 8;

        /// <summary>
        /// A split step shares each hidden layer's inputs (the rows of its weight matrix) among the parts instead of the
        /// batch's rows. Part k owns a contiguous range of each hidden layer's weight rows, with their gradient and their
        /// optimizer state (the step's shares are the same ranges), and reads only its columns of the layer's input: it
        /// computes that range's share of the product x·W over the whole batch (the calling thread then adds the parts'
        /// outputs in part order, the bias and the activation), and on the way back the gradient of its weight rows and
        /// its columns of the input gradient. What crosses between the cores is the parts' outputs and δ (a few kilobytes
        /// a layer), not weights or gradients. Batch norm and dropout run on the calling thread over the whole batch
        /// between the parts' phases, as one thread runs them (the masks drawn in the same order). For networks of dense
        /// layers without convolution, DropConnect or maxout (<see cref="IDenseOption.SharesInputs"/>) whose hidden layers
        /// have at least 2 × <see cref="InputBlock"/> inputs and more than <see cref="LayerPlan.NarrowWidth"/> units, and
        /// whose shared work is at least <see cref="InputShareMin"/> times the serial work; the others split the batch's rows. The sum over a layer's inputs is cut into one piece per
        /// part, so the result depends on the thread count (the same bits on every run with a given count).
        /// </summary>
        public bool SplitsInputs { get; }

        /// <summary>Most parts a split-by-inputs step uses: the fewest whole <see cref="InputBlock"/>s of a hidden layer's inputs (1 when the step does not split inputs).</summary>
        public int InputParts { get; }

        /// <summary>Units of the widest hidden layer (0 without hidden layers): the size of a part's output rows in a split-by-inputs step.</summary>
        public int WidestHidden { get; }

        public static NetworkPlan Analyze(NetworkSpec spec) => new NetworkPlan(spec);

        /// <summary>The convolution and pooling layers before the dense ones (none for a dense network).</summary>
        public FeaturePlans Features { get; }

        /// <summary>The ref expression for convolution or pooling layer <paramref name="k"/>'s training input at row <c>start</c>: x, or the previous layer's outputs.</summary>
        public string FeatureTrainingInput(int k) => k == 0 ? "x"
            : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref ({Features.Layers[k - 1].TrainingOutput}).Data, (nuint)start * {Int(Features.Layers[k - 1].Spec.Output.Size)})";

        /// <summary>The training forward call of convolution or pooling layer <paramref name="f"/> over a part's rows (a batch-normalised convolution's linear part only).</summary>
        private string FeatureForwardCall(FeaturePlan f) => $"{f.Forward}(ref {FeatureTrainingInput(f.Index)}, start, count);";

        /// <summary>A batch-normalised convolution's step over the whole batch in the forward pass (start is 0).</summary>
        private static string FeatureBatchNormForwardCall(FeaturePlan f) => $"{f.BatchNormForward}(count);";

        /// <summary>The backward call of convolution or pooling layer <paramref name="f"/> over a part's rows.</summary>
        private string FeatureBackwardCall(FeaturePlan f) => $"{f.Backward}(ref {FeatureTrainingInput(f.Index)}, start, count, ref g);";

        /// <summary>The training forward calls of the convolution and pooling layers, input to output (one thread: a batch-normalised convolution's batch step follows its linear part).</summary>
        public IEnumerable<string> FeatureForwardCalls()
            => Features.Layers.SelectMany(f => f.BatchNorm ? new[] { FeatureForwardCall(f), FeatureBatchNormForwardCall(f) } : new[] { FeatureForwardCall(f) });

        /// <summary>The backward calls of the convolution and pooling layers, output to input (a first pooling layer has none; one thread: a batch-normalised convolution's batch step comes first).</summary>
        public IEnumerable<string> FeatureBackwardCalls()
            => Features.Layers.Reverse().Where(f => f.HasBackward).SelectMany(f => f.BatchNorm
                ? new[] { $"{f.BatchNormBackward}(count, ref g);", FeatureBackwardCall(f) }
                : new[] { FeatureBackwardCall(f) });

        public NetworkSpec Spec { get; }

        /// <summary>Where every parameter segment sits in the flat buffer.</summary>
        public Layout Layout { get; }

        public IReadOnlyList<LayerPlan> Layers { get; }

        public LayerPlan Output { get; }

        /// <summary>Some layer or the input draws dropout or DropConnect masks.</summary>
        public bool HasMasks { get; }

        public bool HasBatchNorm { get; }

        /// <summary>Floats of hidden activations of one example (every layer but the output).</summary>
        public int HiddenUnits { get; }

        /// <summary>Inference keeps the hidden activations on the stack (else in a per-thread buffer).</summary>
        public bool HiddenOnStack { get; }

        /// <summary>Predict, Classify and Loss keep their output buffers (<see cref="OutputBuffers"/> of OutputSize floats) on the stack (else in one per-thread buffer).</summary>
        public bool OutputsOnStack { get; }

        /// <summary>Width of the widest maxout layer's pieces (0 without maxout): PredictBatch's scratch for them.</summary>
        public int WidestMaxoutPieces { get; }

        /// <summary>Floats of PredictBatch's per-thread buffer: one chunk's hidden activations, logits and maxout pieces (chunks of up to <see cref="PackedChunk"/> rows).</summary>
        public int PredictScratch { get; }

        /// <summary>Why the network trains on one thread only, or null when it splits large enough batches across threads.</summary>
        public string? SingleThreadReason { get; }

        public bool SplitsBatch => SingleThreadReason is null;

        /// <summary>Smallest batch a training step splits across threads: its rows carry ≈ <see cref="SplitMinFlop"/> of matrix work.</summary>
        public int SplitMinRows { get; }

        /// <summary>Smallest PredictBatch shared between two threads: each carries ≈ <see cref="SplitMinFlop"/> of forward work, in whole <see cref="SharedChunk"/>s; never below <see cref="PackMinRows"/>.</summary>
        public int PredictSplitMinRows { get; }

        /// <summary>The optimizer step too is shared among the parts of a split step.</summary>
        public bool ParallelStep { get; }

        /// <summary>
        /// A step split by rows of a batch-normalised network: the passes as parallel segments (each thread on its rows)
        /// with the batch-norm work between them on the calling thread over all rows (its statistics and sums span the
        /// batch). Null when the network does not split, has no batch norm (its parts run the whole pass in one phase) or
        /// splits by inputs (<see cref="SplitsInputs"/>: batch norm runs between the parts' phases there).
        /// </summary>
        public IReadOnlyList<SplitSegment>? Segments { get; }

        /// <summary>The ref expression for layer <paramref name="l"/>'s training input at row <c>start</c>: x, or the previous layer's (dropout-masked) outputs.</summary>
        public string TrainingInput(int l) => l == 0 ? (Features.Any ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {Features.Last.TrainingOutput}.Data, (nuint)start * {Int(Features.OutputSize)})" : "x")
            : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref ({Layers[l - 1].TrainingOutput}).Data, (nuint)start * {Int(Layers[l - 1].Spec.Units)})";

        private List<SplitSegment> BuildSegments()
        {
            var segments = new List<SplitSegment>();
            var calls = new List<string>();
            bool loss = false;
            void Serial(SerialCall call)
            {
                segments.Add(new SplitSegment(calls, call, loss));
                calls = new List<string>();
                loss = false;
            }
            foreach (var f in Features.Layers)
            {
                calls.Add(FeatureForwardCall(f));
                if (f.BatchNorm) Serial(new SerialCall(f.BatchNormForward, FeatureBatchNormForwardCall(f)));
            }
            foreach (var layer in Layers)
            {
                if (!layer.SpansBatch) { calls.Add($"{layer.Forward}(ref {TrainingInput(layer.Index)}, start, count);"); continue; }
                calls.Add($"{layer.ForwardLinear}(ref {TrainingInput(layer.Index)}, start, count);");
                Serial(new SerialCall(layer.BatchNormForward, $"{layer.BatchNormForward}(count);"));
                calls.Add($"{layer.ForwardActivation}(start, count);");
            }
            calls.Add("loss = LossAndDelta(start, count, total);");
            loss = true;
            foreach (var layer in Layers.Reverse())
            {
                if (!layer.SpansBatch) { calls.Add($"{layer.Backward}(ref {TrainingInput(layer.Index)}, start, count, ref g);"); continue; }
                calls.Add($"{layer.BackwardActivation}(start, count);");
                Serial(new SerialCall(layer.BatchNormBackward, $"{layer.BatchNormBackward}(count, ref _gradients.Data); // γ and β gradients: only part 0's buffer holds them"));
                calls.Add($"{layer.BackwardLinear}(ref {TrainingInput(layer.Index)}, start, count, ref g);");
            }
            foreach (var f in Features.Layers.Reverse().Where(f => f.HasBackward))
            {
                if (f.BatchNorm)
                    Serial(new SerialCall(f.BatchNormBackward, $"{f.BatchNormBackward}(count, ref _gradients.Data); // γ and β gradients: only part 0's buffer holds them"));
                calls.Add(FeatureBackwardCall(f));
            }
            segments.Add(new SplitSegment(calls, null, loss));
            return segments;
        }
    }

    /// <summary>The phases of <c>IParallelStep.RunPart</c> (the runtime passes them through without reading them).</summary>
    internal static class Phase
    {
        /// <summary>A part's forward and backward over its rows, in one go (a network without batch norm).</summary>
        public const int WholePass = 0;

        /// <summary>A part's range of the gradient sum over the parts.</summary>
        public const int GradientSum = 1;

        /// <summary>A part's share of the optimizer step.</summary>
        public const int OptimizerStep = 2;

        /// <summary>The first segment of a batch-normalised network's split step; segment k runs as phase FirstSegment + k.</summary>
        public const int FirstSegment = 3;

        /// <summary>A split-by-inputs step's forward of hidden layer <paramref name="l"/> (0-based) over a part's inputs (such a network has no segments, so the numbers are free).</summary>
        public static int InputsForward(int l) => FirstSegment + 2 * l;

        /// <summary>A split-by-inputs step's backward of hidden layer <paramref name="l"/> over a part's inputs: the gradient of its weight rows and its columns of the input gradient.</summary>
        public static int InputsBackward(int l) => FirstSegment + 2 * l + 1;
    }

    /// <summary>A method called on the calling thread between two segments of a split step, over the whole batch.</summary>
    internal sealed record SerialCall(string Method, string Statement);

    /// <summary>One segment of a split step: the statements each part runs over its rows, then what the calling thread runs.</summary>
    internal sealed record SplitSegment(IReadOnlyList<string> Calls, SerialCall? SerialAfter, bool ComputesLoss);

    /// <summary>A layer's generated names: its training buffers and its methods, declared and used through these.</summary>
    internal sealed class LayerPlan
    {
        public LayerPlan(NetworkSpec spec, int index, string? featureDeltas = null)
        {
            FeatureDeltas = index == 0 ? featureDeltas : null;
            Index = index;
            Spec = spec.Layers[index];
            IsOutput = index == spec.Layers.Count - 1;
            string k = Int(index + 1);
            Number = k;
            Activations = "_a" + k;
            Deltas = "_d" + k;
            Logits = "_z" + k;
            XHat = "_xhat" + k;
            InvStd = "_invStd" + k;
            Pieces = "_pieces" + k;
            Winners = "_winner" + k;
            PieceDeltas = "_dPieces" + k;
            DropoutMask = "_dropoutMask" + k;
            DroppedOutputs = "_ad" + k;
            DropConnectMask = "_dropConnectMask" + k;
            MaskedWeights = "_maskedWeights" + k;
            Init = "Init_L" + k;
            Infer = "Infer_L" + k;
            InferLinear = "InferLinear_L" + k;
            InferRows = "InferRows_L" + k;
            Forward = "Forward_L" + k;
            ForwardLinear = "ForwardLinear_L" + k;
            BatchNormForward = "BatchNorm_L" + k;
            ForwardActivation = "ForwardActivation_L" + k;
            Backward = "Backward_L" + k;
            BackwardActivation = "BackwardActivation_L" + k;
            BatchNormBackward = "BatchNormBackward_L" + k;
            BackwardLinear = "BackwardLinear_L" + k;
            Step = "Step_L" + k;
            DropConnect = "DropConnect_L" + k;
            PiecesScratch = "t_pieces" + k;
            Options = DenseOptions.Of(Spec);
            Units = Options.Select(o => o.Units).OfType<IDenseUnits>().SingleOrDefault() ?? ActivationUnits.Instance;
            SpansBatch = Options.Any(o => o.SpansBatch);
            WeightsInUse = Options.Select(o => o.WeightsInUse(this)).OfType<string>().SingleOrDefault();
            TransposedWeights = HasInputGradient && WeightsInUse is null && Units is ActivationUnits && Spec.Width <= NarrowWidth
                ? "_weightsT" + k : null;
            TransposeWeights = "TransposeWeights_L" + k;
            ForwardInputs = "ForwardInputs_L" + k;
            SumParts = "SumParts_L" + k;
            Delta = "Delta_L" + k;
            BackwardInputs = "BackwardInputs_L" + k;
        }

        /// <summary>A split step shares the layer's inputs among its parts (<see cref="NetworkPlan.SplitsInputs"/>): it has the four methods below too. Set by the plan.</summary>
        public bool SplitsInputs { get; set; }

        /// <summary>A part's share of x·W over its range of the layer's inputs, for the whole batch, into its own rows.</summary>
        public string ForwardInputs { get; }

        /// <summary>The calling thread's sum of the parts' shares (in part order), then the bias and the activation.</summary>
        public string SumParts { get; }

        /// <summary>The calling thread's δ ⊙ f′ and bias gradient over the whole batch.</summary>
        public string Delta { get; }

        /// <summary>A part's weight-row gradient and input-gradient columns over its range of the layer's inputs.</summary>
        public string BackwardInputs { get; }

        /// <summary>Widest layer whose input gradient is a product with Wᵀ rather than dot products (<see cref="TransposedWeights"/>).</summary>
        public const int NarrowWidth = 16;

        /// <summary>
        /// A narrow layer (at most <see cref="NarrowWidth"/> units, plain units, the parameters as its weights) computes its
        /// input gradient δ·Wᵀ as a register-blocked product with a transposed copy of W, written once per step before any part
        /// runs: as dot products over so few units, a horizontal sum per input would cost more than its multiply-adds. Else null.
        /// </summary>
        public string? TransposedWeights { get; }

        /// <summary>The method that writes <see cref="TransposedWeights"/> from the parameters.</summary>
        public string TransposeWeights { get; }

        /// <summary>The layer's options (batch norm, maxout, dropout, DropConnect), in the order of <see cref="DenseOptions"/>.</summary>
        public IReadOnlyList<IDenseOption> Options { get; }

        /// <summary>How the layer's units come from its linear part: an option's (maxout), else the activation.</summary>
        public IDenseUnits Units { get; }

        /// <summary>An option works over the whole batch between the linear part and the units (batch norm): the training passes are three methods each.</summary>
        public bool SpansBatch { get; }

        /// <summary>The ref expression of the weights the training forward and the input gradient read, when an option replaces the parameters (DropConnect's W ⊙ mask); else null.</summary>
        public string? WeightsInUse { get; }

        /// <summary>0-based position in the network.</summary>
        public int Index { get; }

        /// <summary>1-based number, as the generated names and comments write it.</summary>
        public string Number { get; }

        public LayerSpec Spec { get; }

        public bool IsOutput { get; }

        /// <summary>BatchSize rows of the layer's outputs after its activation (before dropout).</summary>
        public string Activations { get; }

        /// <summary>∂L/∂a, then ∂L/∂z once the activation derivative is applied.</summary>
        public string Deltas { get; }

        /// <summary>∂L/∂ of the layer's input, the layer below's <see cref="Deltas"/> (not for the first layer).</summary>
        public string InputDeltas => FeatureDeltas ?? "_d" + Int(Index);

        /// <summary>The first dense layer after convolution or pooling layers: the last of those layers' deltas, which its input gradient fills; else null.</summary>
        public string? FeatureDeltas { get; }

        /// <summary>The backward pass computes ∂L/∂ of the layer's input: every layer but the first of a dense network.</summary>
        public bool HasInputGradient => Index > 0 || FeatureDeltas != null;

        /// <summary>The output layer's logits z (declared for the output layer only).</summary>
        public string Logits { get; }

        /// <summary>Batch norm: the normalised x̂, kept for backward.</summary>
        public string XHat { get; }

        /// <summary>Batch norm: 1/√(σ² + ε) of the batch.</summary>
        public string InvStd { get; }

        /// <summary>Maxout: the linear pieces of every unit.</summary>
        public string Pieces { get; }

        /// <summary>Maxout: the index of each unit's winning piece.</summary>
        public string Winners { get; }

        /// <summary>Maxout: the per-thread buffer of one row's pieces in inference, when they are too many for the stack.</summary>
        public string PiecesScratch { get; }

        /// <summary>Maxout: ∂L/∂pieces.</summary>
        public string PieceDeltas { get; }

        public string DropoutMask { get; }

        /// <summary>Dropout: the masked outputs, the next layer's input.</summary>
        public string DroppedOutputs { get; }

        public string DropConnectMask { get; }

        /// <summary>DropConnect: W ⊙ mask, as used this step.</summary>
        public string MaskedWeights { get; }

        /// <summary>The buffer the next layer reads in training: the dropout-masked outputs if the layer has dropout.</summary>
        public string TrainingOutput => Spec.Dropout > 0 ? DroppedOutputs : Activations;

        /// <summary>Where the training forward's linear part writes: the logits, the maxout pieces, or the activations (in place).</summary>
        public string LinearOutput => IsOutput ? Logits : Spec.Activation == ActivationKind.Maxout ? Pieces : Activations;

        public string Init { get; }
        public string Infer { get; }
        public string InferLinear { get; }
        public string InferRows { get; }
        public string Forward { get; }
        public string ForwardLinear { get; }
        public string BatchNormForward { get; }
        public string ForwardActivation { get; }
        public string Backward { get; }
        public string BackwardActivation { get; }
        public string BatchNormBackward { get; }
        public string BackwardLinear { get; }
        public string Step { get; }
        public string DropConnect { get; }
    }
}
