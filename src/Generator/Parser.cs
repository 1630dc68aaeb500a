using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Threading;
using CompiledNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CompiledNet.Generator
{
    /// <summary>Turns the attributes on a network class into a <see cref="NetworkSpec"/> plus diagnostics.</summary>
    internal static partial class Parser
    {
        public const string NetworkAttribute = "CompiledNet.NetworkAttribute";
        private const string DenseAttribute = "CompiledNet.DenseAttribute";
        private const string LossAttribute = "CompiledNet.LossAttribute";
        private const string OptimizerAttribute = "CompiledNet.OptimizerAttribute";
        private const string RegularizationAttribute = "CompiledNet.RegularizationAttribute";

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
            => Parse((INamedTypeSymbol)context.TargetSymbol, context.TargetNode, context.Attributes[0], ct);

        /// <summary>
        /// Parses the declaration <paramref name="target"/> of <paramref name="type"/> that carries <paramref name="network"/>.
        /// The generator calls it through its pipeline, and <see cref="NetworkAnalyzer"/> calls it on the same symbol, so
        /// both see the same model and the same diagnostics.
        /// </summary>
        public static ParseResult Parse(INamedTypeSymbol type, SyntaxNode target, AttributeData network, CancellationToken ct)
        {
            var diagnostics = new List<DiagnosticInfo>();
            try
            {
                var spec = ParseCore(type, target, network, diagnostics, ct);
                return new ParseResult(spec, EquatableArray.From(diagnostics));
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                // The generator must never fail the build with CS8785; an unexpected case becomes a diagnostic.
                diagnostics.Add(Diag(DiagnosticDescriptors.InternalError, LocationOf(type), type.Name, ex.GetType().Name + ": " + ex.Message));
                return new ParseResult(null, EquatableArray.From(diagnostics));
            }
        }

        public const string DenseAttributeName = DenseAttribute;

        /// <summary>A class with [Dense] layers but no [Network]: a warning, since nothing would be generated.</summary>
        public static DiagnosticInfo? CheckLayersWithoutNetwork(INamedTypeSymbol type)
        {
            if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkAttribute)) return null;
            return Diag(DiagnosticDescriptors.LayersWithoutNetwork, LocationOf(type), type.Name);
        }

        private static NetworkSpec? ParseCore(INamedTypeSymbol type, SyntaxNode target, AttributeData network, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            CheckDeclaration(type, target, network, diagnostics, ct);
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(ct) is ClassDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    diagnostics.Add(Diag(DiagnosticDescriptors.NotPartial, ToInfo(declaration.Identifier.GetLocation()), type.Name));
            }
            if (type.IsGenericType)
                diagnostics.Add(Diag(DiagnosticDescriptors.Generic, LocationOf(type), type.Name));

            var containing = ParseContainingTypes(type, diagnostics, ct);

            // [Network(Input = ..., BatchSize = ...)]
            int input = 0, batchSize = 32;
            float inputDropout = 0f;
            foreach (var named in network.NamedArguments)
            {
                if (named.Key == "Input" && named.Value.Value is int i) input = i;
                else if (named.Key == "BatchSize" && named.Value.Value is int b) batchSize = b;
                else if (named.Key == "InputDropout" && named.Value.Value is float p)
                {
                    inputDropout = p;
                    CheckRate("InputDropout", p, NamedArgumentLocation(network, "InputDropout", ct) ?? AttributeLocation(network, ct), diagnostics);
                }
            }
            var image = ParseImage(network, ref input, out bool imageDeclared, diagnostics, ct);
            if (input <= 0 && !imageDeclared)
            {
                var where = NamedArgumentLocation(network, "Input", ct) ?? AttributeLocation(network, ct) ?? LocationOf(type);
                diagnostics.Add(Diag(DiagnosticDescriptors.InputSize, where, Format(input)));
            }
            if (batchSize <= 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.BatchSize, NamedArgumentLocation(network, "BatchSize", ct) ?? AttributeLocation(network, ct), Format(batchSize)));

            // Layers: [Dense] attributes in source order.
            var attributes = type.GetAttributes();
            var dense = attributes.Where(a => a.AttributeClass?.ToDisplayString() == DenseAttribute).ToList();
            var owners = dense.Concat(attributes.Where(IsFeatureAttribute)).Select(a => a.ApplicationSyntaxReference?.GetSyntax(ct).FirstAncestorOrSelf<TypeDeclarationSyntax>())
                .Where(d => d != null).Distinct().ToList();
            if (owners.Count > 1)
                diagnostics.Add(Diag(DiagnosticDescriptors.LayersInSeveralDeclarations, ToInfo(owners[1]!.Identifier.GetLocation()), type.Name));
            dense.Sort((a, b) => (a.ApplicationSyntaxReference?.Span.Start ?? 0).CompareTo(b.ApplicationSyntaxReference?.Span.Start ?? 0));

            if (dense.Count == 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.NoLayers, AttributeLocation(network, ct) ?? LocationOf(type), type.Name));

            var layers = new List<LayerSpec>();
            var layerSites = new List<LayerSite>();
            bool unreadable = false;
            var features = ParseFeatures(attributes, dense, image, imageDeclared, diagnostics, ct, ref unreadable, out var featureSites);
            int fanIn = features.Count > 0 ? features[features.Count - 1].Output.Size : input;
            for (int l = 0; l < dense.Count; l++)
            {
                var layer = ParseDenseLayer(dense[l], l, dense.Count, fanIn, batchSize, diagnostics, ct);
                if (layer is null)
                {
                    unreadable = true; // the compiler reports the bad constructor call; emitting a guess would only add noise
                    continue;
                }
                layers.Add(layer);
                layerSites.Add(new LayerSite(l + 1, PositionalArgumentLocation(dense[l], 0, ct) ?? AttributeLocation(dense[l], ct), NamedArgumentLocation(dense[l], "Pieces", ct)));
                fanIn = layer.Units;
            }

            var loss = ParseLoss(type, network, attributes, layers, diagnostics, ct);

            var featureParameters = CheckFeatureSizes(batchSize, features, featureSites, diagnostics);
            CheckSize(input, batchSize, layers, layerSites, network, AttributeLocation(network, ct) ?? LocationOf(type), diagnostics, ct, featureParameters);
            CheckSaturatingStack(dense, layers, ct, diagnostics);

            var optimizer = ParseOptimizer(attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == OptimizerAttribute), diagnostics, ct);
            var regularization = ParseRegularization(attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RegularizationAttribute), diagnostics, ct);

            if (unreadable || layers.Count == 0) return null;
            if (diagnostics.Any(d => DiagnosticDescriptors.Get(d.Id).DefaultSeverity == DiagnosticSeverity.Error)) return null;

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            return new NetworkSpec(ns, type.Name, EquatableArray.From(containing), input, batchSize, inputDropout,
                EquatableArray.From(layers), loss, optimizer, regularization, image, EquatableArray.From(features));
        }

        /// <summary>The types the network is nested in, outermost first; each must be a non-generic partial type.</summary>
        private static List<ContainingType> ParseContainingTypes(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            var containing = new List<ContainingType>();
            for (var outer = type.ContainingType; outer != null; outer = outer.ContainingType)
            {
                bool isPartial = outer.DeclaringSyntaxReferences.All(r =>
                    r.GetSyntax(ct) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!isPartial || outer.IsGenericType)
                    diagnostics.Add(Diag(DiagnosticDescriptors.ContainingTypeNotPartial, LocationOf(type), type.Name, outer.Name));
                containing.Insert(0, new ContainingType(KindKeyword(outer), outer.Name));
            }
            return containing;
        }

        /// <summary>The keyword(s) that declare <paramref name="type"/>: class, struct, interface, record, record struct, enum, delegate.</summary>
        private static string KindKeyword(INamedTypeSymbol type)
            => type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
                : type.TypeKind == TypeKind.Struct ? "struct" : type.TypeKind.ToString().ToLowerInvariant();

        /// <summary>
        /// One [Dense] attribute (layer <paramref name="l"/> of <paramref name="layerCount"/>, zero-based) with its
        /// diagnostics; null when the attribute's constructor call cannot be read.
        /// </summary>
        private static LayerSpec? ParseDenseLayer(AttributeData a, int l, int layerCount, int fanIn, int batchSize, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            if (a.ConstructorArguments.Length != 2 || a.AttributeConstructor is null) return null;
            int units = a.ConstructorArguments[0].Value is int u ? u : 0;
            if (units <= 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.Units, PositionalArgumentLocation(a, 0, ct) ?? AttributeLocation(a, ct), Format(l + 1), Format(units)));

            int beforeActivation = diagnostics.Count;
            var activation = ReadEnum<ActivationKind>(a.ConstructorArguments[1], "Activation", PositionalArgumentLocation(a, 1, ct) ?? AttributeLocation(a, ct), diagnostics);
            bool activationKnown = diagnostics.Count == beforeActivation && a.ConstructorArguments[1].Value is int;
            if (activation == ActivationKind.Softmax && l != layerCount - 1)
                diagnostics.Add(Diag(DiagnosticDescriptors.SoftmaxNotLast, PositionalArgumentLocation(a, 1, ct) ?? AttributeLocation(a, ct), Format(l + 1), Format(layerCount)));

            var init = InitKind.LeCun;
            float dropout = 0f, dropConnect = 0f;
            bool batchNorm = false, bias = true, biasExplicit = false;
            int pieces = 0;
            foreach (var named in a.NamedArguments)
            {
                var where = NamedArgumentLocation(a, named.Key, ct) ?? AttributeLocation(a, ct);
                switch (named.Key)
                {
                    case "Init":
                        init = ReadEnum<InitKind>(named.Value, "WeightInit", where, diagnostics);
                        break;
                    case "Dropout" when named.Value.Value is float p:
                        dropout = p;
                        CheckRate("Dropout", p, where, diagnostics);
                        if (l == layerCount - 1 && p != 0f)
                            diagnostics.Add(Diag(DiagnosticDescriptors.DropoutOnOutput, where, Format(l + 1)));
                        break;
                    case "DropConnect" when named.Value.Value is float p:
                        dropConnect = p;
                        CheckRate("DropConnect", p, where, diagnostics);
                        break;
                    case "Bias" when named.Value.Value is bool b:
                        bias = b;
                        biasExplicit = b;
                        break;
                    case "Pieces" when named.Value.Value is int k:
                        pieces = k;
                        break;
                    case "BatchNorm" when named.Value.Value is bool on:
                        batchNorm = on;
                        if (on && batchSize == 1)
                            diagnostics.Add(Diag(DiagnosticDescriptors.BatchNormBatchSizeOne, where, Format(l + 1)));
                        break;
                }
            }
            if (activation == ActivationKind.Maxout)
            {
                var activationWhere = PositionalArgumentLocation(a, 1, ct) ?? AttributeLocation(a, ct);
                if (pieces < 2)
                    diagnostics.Add(Diag(DiagnosticDescriptors.MaxoutPieces, NamedArgumentLocation(a, "Pieces", ct) ?? activationWhere, Format(l + 1), Format(pieces)));
                if (l == layerCount - 1)
                    diagnostics.Add(Diag(DiagnosticDescriptors.MaxoutPlacement, activationWhere, Format(l + 1), "on the output layer"));
                else if (batchNorm)
                    diagnostics.Add(Diag(DiagnosticDescriptors.MaxoutPlacement, activationWhere, Format(l + 1), "with BatchNorm"));
            }
            else
            {
                if (activationKnown && a.NamedArguments.Any(n => n.Key == "Pieces"))
                    diagnostics.Add(Diag(DiagnosticDescriptors.PiecesWithoutMaxout, NamedArgumentLocation(a, "Pieces", ct) ?? AttributeLocation(a, ct), Format(l + 1), Format(pieces), activation.ToString()));
                pieces = 1;
            }
            if (batchNorm && biasExplicit)
                diagnostics.Add(Diag(DiagnosticDescriptors.RedundantBias, NamedArgumentLocation(a, "Bias", ct) ?? AttributeLocation(a, ct), Format(l + 1)));
            return new LayerSpec(fanIn, units, activation, init, dropout, dropConnect, batchNorm, Math.Max(pieces, 1), bias && !batchNorm);
        }

        /// <summary>[Loss(kind)]: required, and it must fit the output layer.</summary>
        private static LossKind ParseLoss(INamedTypeSymbol type, AttributeData network, ImmutableArray<AttributeData> attributes, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            var lossAttribute = attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == LossAttribute);
            var loss = LossKind.Quadratic;
            if (lossAttribute is null)
                diagnostics.Add(Diag(DiagnosticDescriptors.MissingLoss, AttributeLocation(network, ct) ?? LocationOf(type), type.Name));
            else if (lossAttribute.ConstructorArguments.Length == 1)
            {
                var lossLocation = PositionalArgumentLocation(lossAttribute, 0, ct) ?? AttributeLocation(lossAttribute, ct);
                int before = diagnostics.Count;
                loss = ReadEnum<LossKind>(lossAttribute.ConstructorArguments[0], "LossKind", lossLocation, diagnostics);
                if (diagnostics.Count == before && layers.Count > 0)
                {
                    CheckLossFitsOutput(loss, layers[layers.Count - 1], lossLocation, diagnostics);
                    var output = layers[layers.Count - 1];
                    if (loss == LossKind.Quadratic && output.Activation is ActivationKind.Sigmoid or ActivationKind.Tanh)
                        diagnostics.Add(Diag(DiagnosticDescriptors.QuadraticOnSaturatingOutput, lossLocation,
                            output.Activation.ToString(),
                            output.Activation == ActivationKind.Sigmoid ? "σ(1 − σ)" : "1 − tanh²",
                            output.Activation == ActivationKind.Sigmoid
                                ? "use LossKind.LogLoss"
                                : "use a Sigmoid output with LossKind.LogLoss, or Softmax with LossKind.SoftmaxCrossEntropy"));
                }
            }
            return loss;
        }

        /// <summary>
        /// What the generated code needs of the declaration itself: a non-static class (records, structs and interfaces
        /// cannot take the generated 'partial class'), a name that no generated member has, and C# 12 (the Input and
        /// Output types are inline arrays).
        /// </summary>
        private static void CheckDeclaration(INamedTypeSymbol type, SyntaxNode target, AttributeData network, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            if (target is TypeDeclarationSyntax declaration && (type.TypeKind != TypeKind.Class || type.IsRecord))
            {
                var keyword = declaration.Keyword;
                var span = declaration is RecordDeclarationSyntax { ClassOrStructKeyword: var second } && second.Span.Length > 0
                    ? TextSpan.FromBounds(keyword.SpanStart, second.Span.End)
                    : keyword.Span;
                diagnostics.Add(Diag(DiagnosticDescriptors.NotAClass, ToInfo(Location.Create(declaration.SyntaxTree, span)), type.Name, KindKeyword(type)));
            }
            if (type.IsStatic)
            {
                foreach (var reference in type.DeclaringSyntaxReferences)
                    if (reference.GetSyntax(ct) is TypeDeclarationSyntax part && part.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.StaticKeyword)) is var modifier && modifier.IsKind(SyntaxKind.StaticKeyword))
                    {
                        diagnostics.Add(Diag(DiagnosticDescriptors.StaticClass, ToInfo(modifier.GetLocation()), type.Name));
                        break;
                    }
            }
            if (ReservedNameReason(type.Name) is { } reason)
                diagnostics.Add(Diag(DiagnosticDescriptors.ReservedName, LocationOf(type), "The network class", type.Name, reason));
            // Enclosing types and namespaces are in scope in the generated code: a type named var, nint or nuint, or a
            // namespace named nint or nuint, changes what those words mean there; an enclosing type named with an escaped
            // keyword (@class) cannot be re-declared by name.
            for (var outer = type.ContainingType; outer != null; outer = outer.ContainingType)
                if (EnclosingNameReason(outer.Name) is { } outerReason)
                    diagnostics.Add(Diag(DiagnosticDescriptors.ReservedName, LocationOf(outer), "A type enclosing the network", outer.Name, outerReason));
            foreach (var name in target.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().SelectMany(n => n.Name.DescendantNodesAndSelf().OfType<SimpleNameSyntax>()))
                if (name.Identifier.ValueText is "nint" or "nuint")
                    diagnostics.Add(Diag(DiagnosticDescriptors.ReservedName, ToInfo(name.GetLocation()), "A namespace containing the network", name.Identifier.ValueText,
                        "the generated code uses nint and nuint as types, and a namespace of that name would take their place"));
            if (target.SyntaxTree.Options is CSharpParseOptions options && options.LanguageVersion < MinimumLanguageVersion)
                diagnostics.Add(Diag(DiagnosticDescriptors.LanguageVersionTooLow, AttributeLocation(network, ct) ?? LocationOf(type),
                    type.Name, MinimumLanguageVersion.ToDisplayString(), options.LanguageVersion.ToDisplayString()));
        }

        /// <summary>The oldest C# the generated code compiles with: its Input and Output types are inline arrays (C# 12).</summary>
        internal const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp12;

        /// <summary>
        /// Names of the members the generated class declares, public and private. A class cannot have a member with its
        /// own name (CS0542), so a network class named like one of them would break the generated code. A test compares
        /// this list with the members of generated classes that use every option.
        /// </summary>
        internal static readonly string[] GeneratedMemberNames =
        {
            "InputSize", "OutputSize", "BatchSize", "ParameterCount", "Architecture", "Fingerprint", "Input", "Output",
            "Predict", "Classify", "Loss", "PredictBatch", "PredictSplitMinRows", "PredictPackMinRows", "PackWeights", "SplitMinRows", "InferenceThreads",
            "TrainingThreads", "ComputeGradients", "ApplyGradients", "TrainBatch", "LearningRate", "Step", "Parameters",
            "Gradients", "TrainingActivations", "TrainingMaxoutWinners", "BatchNormStatistics", "BatchNormLayerCount",
            "OptimizerState", "DeclaredSchedule", "ReuseMasks", "DropoutMask", "DropConnectMask", "LastStepFinite",
            "DescribeParameter", "Infer", "PredictRows", "LossCore", "ExampleLoss", "LossAndDelta", "SetTarget", "CheckBatch",
            "ComputeGradientsCore", "ComputeGradientsPart", "ComputeGradientsSplit", "DrawMasks",
            "BeginPopulationStatistics", "AccumulatePopulationStatistics", "EndPopulationStatistics", "SoftmaxRow",
            "ImageChannels", "ImageHeight", "ImageWidth", "InferFeatures", "FeatureDropoutMask",
        };

        /// <summary>Why <paramref name="name"/> cannot name a network class, or null when it can.</summary>
        internal static string? ReservedNameReason(string name)
        {
            if (Array.IndexOf(GeneratedMemberNames, name) >= 0)
                return "the generated class has a member of that name, and a class cannot have a member with its own name";
            // Per-layer methods (Forward_L1, Step_L2 …), per-segment methods of a split step (Segment1 …), and fields (_a1, s_layers, t_batch …).
            if (IsPerLayerName(name) || name.StartsWith("Segment", StringComparison.Ordinal) && name.Length > 7 && name.Skip(7).All(char.IsDigit))
                return "the generated class numbers its per-layer and per-segment methods that way, and a class cannot have a member with its own name";
            if (name.StartsWith("_", StringComparison.Ordinal) || name.StartsWith("s_", StringComparison.Ordinal) || name.StartsWith("t_", StringComparison.Ordinal))
                return "names beginning with '_', 's_' or 't_' are reserved for the generated class's fields";
            if (name.All(c => c >= 'a' && c <= 'z'))
                return "C# keeps all-lowercase names for keywords (warning CS8981), and several (var, nint, nuint, file, required, scoped) already change the meaning of the generated code";
            return null;
        }

        /// <summary>Contextual keywords the generated code uses as types: a type of that name would be found instead.</summary>
        private static readonly string[] KeywordMeaning = { "var", "nint", "nuint" };

        private const string KeywordReason = "the generated code uses var, nint and nuint as keywords, and a type of that name would take their place";

        private static string? EnclosingNameReason(string name)
        {
            if (Array.IndexOf(KeywordMeaning, name) >= 0) return KeywordReason;
            if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
                return "it is a C# keyword, so the generated code would have to escape it";
            return null;
        }

        private static bool IsPerLayerName(string name)
        {
            // _L: dense layers (Forward_L1); _F: convolution and pooling layers (Forward_F1).
            int at = Math.Max(name.LastIndexOf("_L", StringComparison.Ordinal), name.LastIndexOf("_F", StringComparison.Ordinal));
            return at > 0 && at + 2 < name.Length && name.Skip(at + 2).All(char.IsDigit);
        }

        private const long MaxParameters = 50_000_000, MaxBufferFloats = 50_000_000;

        /// <summary>Where a layer's size arguments are, for size diagnostics: its 1-based number, the units and the Pieces argument.</summary>
        private sealed class LayerSite
        {
            public LayerSite(int number, LocationInfo? units, LocationInfo? pieces) => (Number, Units, Pieces) = (number, units, pieces);

            public int Number { get; }

            public LocationInfo? Units { get; }

            public LocationInfo? Pieces { get; }
        }

        /// <summary>
        /// Every size the generated code allocates or emits as a constant, computed exactly (BigInteger: declared numbers
        /// go up to int.MaxValue, and their products overflow 32 and even 64 bits) before it is compared with its limit.
        /// Training buffers: BatchSize × Input (input batch), BatchSize × units (activations, deltas, masks, x̂) and
        /// BatchSize × units × pieces (maxout pieces). Parameters: Σ inputs × units × pieces + biases (or γ, β); each
        /// layer's weight count (DropConnect masks, offsets) is part of that sum, and the batch-norm statistics
        /// (2 × units per normalised layer) and the optimizer state (at most 2 × ParameterCount = 100,000,000) are
        /// bounded by it. PredictBatch's per-thread buffer (32 rows of every layer's outputs and the widest maxout
        /// pieces) is at most 32 × (ParameterCount + layers), well inside a 32-bit length once the parameters are.
        /// </summary>
        private static void CheckSize(int input, int batchSize, List<LayerSpec> layers, List<LayerSite> sites, AttributeData network,
            LocationInfo? networkWhere, List<DiagnosticInfo> diagnostics, CancellationToken ct, BigInteger featureParameters)
        {
            if (input <= 0 || batchSize <= 0) return; // already reported
            var batch = new BigInteger(batchSize);
            var inputBatch = batch * input;
            if (inputBatch > MaxBufferFloats)
                diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge,
                    NamedArgumentLocation(network, "BatchSize", ct) ?? NamedArgumentLocation(network, "Input", ct) ?? networkWhere,
                    $"The input batch (BatchSize × Input = {Format(batchSize)} × {Format(input)})", Format(inputBatch), Format((BigInteger)MaxBufferFloats)));

            var parameters = featureParameters; // the convolutions' weights and biases come first
            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l];
                var site = sites[l];
                if (layer.Inputs <= 0 || layer.Units <= 0) return; // already reported
                bool maxout = layer.Activation == ActivationKind.Maxout;
                var width = new BigInteger(layer.Units) * layer.Pieces;
                parameters += width * layer.Inputs + (layer.BatchNorm ? 2 * new BigInteger(layer.Units) : layer.Bias ? width : BigInteger.Zero);
                var buffer = batch * width;
                if (buffer > MaxBufferFloats)
                    diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, maxout ? site.Pieces ?? site.Units : site.Units,
                        maxout
                            ? $"Layer {Format(site.Number)}'s maxout pieces buffer (BatchSize × units × Pieces = {Format(batchSize)} × {Format(layer.Units)} × {Format(layer.Pieces)})"
                            : $"Layer {Format(site.Number)}'s training buffer (BatchSize × units = {Format(batchSize)} × {Format(layer.Units)})",
                        Format(buffer), Format((BigInteger)MaxBufferFloats)));
            }
            if (parameters > MaxParameters)
                diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, networkWhere, "The parameter count", Format(parameters), Format((BigInteger)MaxParameters)));
        }

        /// <summary>An exact number with thousands separators, e.g. 137,438,953,536 (BigInteger's own "N0" is not reliable on .NET Framework).</summary>
        private static string Format(BigInteger value)
        {
            string digits = BigInteger.Abs(value).ToString(CultureInfo.InvariantCulture);
            var text = new System.Text.StringBuilder(value.Sign < 0 ? "-" : "");
            for (int i = 0; i < digits.Length; i++)
            {
                if (i > 0 && (digits.Length - i) % 3 == 0) text.Append(',');
                text.Append(digits[i]);
            }
            return text.ToString();
        }

        /// <summary>Three or more consecutive hidden Sigmoid/Tanh layers: gradients vanish through saturated units, reported as information.</summary>
        private static void CheckSaturatingStack(List<AttributeData> dense, List<LayerSpec> layers, CancellationToken ct, List<DiagnosticInfo> diagnostics)
        {
            int run = 0;
            for (int l = 0; l <= layers.Count - 1; l++)
            {
                bool saturating = l < layers.Count - 1 && layers[l].Activation is ActivationKind.Sigmoid or ActivationKind.Tanh;
                if (saturating) { run++; continue; }
                if (run >= 3)
                {
                    int first = l - run;
                    diagnostics.Add(Diag(DiagnosticDescriptors.DeepSaturatingStack,
                        PositionalArgumentLocation(dense[first], 1, ct) ?? AttributeLocation(dense[first], ct), Format(first + 1), Format(l), Format(run)));
                }
                run = 0;
            }
        }

        /// <summary>[Optimizer(kind, LearningRate = …, …)]; without it, SGD with η = 0.01.</summary>
        private static OptimizerSpec ParseOptimizer(AttributeData? attribute, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            var spec = OptimizerSpec.Default;
            if (attribute is null || attribute.ConstructorArguments.Length != 1) return spec;
            var kind = ReadEnum<OptimizerKind>(attribute.ConstructorArguments[0], "OptimizerKind",
                PositionalArgumentLocation(attribute, 0, ct) ?? AttributeLocation(attribute, ct), diagnostics);
            spec = spec with { Kind = kind };
            foreach (var named in attribute.NamedArguments)
            {
                var where = NamedArgumentLocation(attribute, named.Key, ct) ?? AttributeLocation(attribute, ct);
                if (named.Key == "DecayEvery")
                {
                    int every = named.Value.Value is int e ? e : 0;
                    if (every < 1)
                        diagnostics.Add(Diag(DiagnosticDescriptors.LearningRateDecay, where, "DecayEvery", "≥ 1", Format(every)));
                    spec = spec with { DecayEvery = every };
                    continue;
                }
                if (named.Value.Value is not float value) continue;
                switch (named.Key)
                {
                    case "LearningRate":
                        if (!(value > 0) || float.IsInfinity(value))
                            diagnostics.Add(Diag(DiagnosticDescriptors.LearningRate, where, Format(value)));
                        spec = spec with { LearningRate = value };
                        break;
                    case "Momentum":
                        CheckUnitInterval(named.Key, value, where, diagnostics);
                        CheckUsed(named.Key, kind, where, diagnostics, "Momentum and Nesterov", OptimizerKind.Momentum, OptimizerKind.Nesterov);
                        spec = spec with { Momentum = value };
                        break;
                    case "Rho":
                        CheckUnitInterval(named.Key, value, where, diagnostics);
                        CheckUsed(named.Key, kind, where, diagnostics, "RmsProp", OptimizerKind.RmsProp);
                        spec = spec with { Rho = value };
                        break;
                    case "Beta1":
                        CheckUnitInterval(named.Key, value, where, diagnostics);
                        CheckUsed(named.Key, kind, where, diagnostics, "Adam", OptimizerKind.Adam);
                        spec = spec with { Beta1 = value };
                        break;
                    case "Beta2":
                        CheckUnitInterval(named.Key, value, where, diagnostics);
                        CheckUsed(named.Key, kind, where, diagnostics, "Adam", OptimizerKind.Adam);
                        spec = spec with { Beta2 = value };
                        break;
                    case "Epsilon":
                        if (!(value > 0) || float.IsInfinity(value))
                            diagnostics.Add(Diag(DiagnosticDescriptors.OptimizerHyperparameter, where, "Epsilon", "> 0 and finite", Format(value)));
                        CheckUsed(named.Key, kind, where, diagnostics, "Adagrad, RmsProp and Adam", OptimizerKind.Adagrad, OptimizerKind.RmsProp, OptimizerKind.Adam);
                        spec = spec with { Epsilon = value };
                        break;
                    case "Decay":
                        if (!(value > 0 && value <= 1))
                            diagnostics.Add(Diag(DiagnosticDescriptors.LearningRateDecay, where, "Decay", "in (0, 1]", Format(value)));
                        spec = spec with { Decay = value };
                        break;
                }
            }
            return spec;
        }

        private static void CheckRate(string name, float value, LocationInfo? where, List<DiagnosticInfo> diagnostics)
        {
            if (!(value >= 0 && value < 1))
                diagnostics.Add(Diag(DiagnosticDescriptors.DropRate, where, name, Format(value)));
        }

        private static void CheckUnitInterval(string name, float value, LocationInfo? where, List<DiagnosticInfo> diagnostics)
        {
            if (!(value >= 0 && value < 1))
                diagnostics.Add(Diag(DiagnosticDescriptors.OptimizerHyperparameter, where, name, "in [0, 1)", Format(value)));
        }

        private static void CheckUsed(string name, OptimizerKind kind, LocationInfo? where, List<DiagnosticInfo> diagnostics, string users, params OptimizerKind[] usedBy)
        {
            if (Array.IndexOf(usedBy, kind) < 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.UnusedHyperparameter, where, name, kind.ToString(), users));
        }

        /// <summary>[Regularization(L2 = …, L1 = …, WeightDecay = …)]; without it, none.</summary>
        private static RegularizationSpec ParseRegularization(AttributeData? attribute, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            var spec = RegularizationSpec.None;
            if (attribute is null) return spec;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Value.Value is not float value) continue;
                var where = NamedArgumentLocation(attribute, named.Key, ct) ?? AttributeLocation(attribute, ct);
                bool isDecay = named.Key == "WeightDecay";
                bool ok = isDecay ? value >= 0 && value < 1 : value >= 0 && !float.IsInfinity(value);
                if (!ok)
                    diagnostics.Add(Diag(DiagnosticDescriptors.RegularizationStrength, where, named.Key, isDecay ? "in [0, 1)" : "≥ 0 and finite", Format(value)));
                spec = named.Key switch
                {
                    "L2" => spec with { L2 = value },
                    "L1" => spec with { L1 = value },
                    "WeightDecay" => spec with { WeightDecay = value },
                    _ => spec,
                };
            }
            return spec;
        }

        private static void CheckLossFitsOutput(LossKind loss, LayerSpec output, LocationInfo? where, List<DiagnosticInfo> diagnostics)
        {
            string? need = loss switch
            {
                LossKind.SoftmaxCrossEntropy when output.Activation != ActivationKind.Softmax || output.Units < 2 => "a Softmax output layer with at least 2 units",
                LossKind.LogLoss when output.Activation != ActivationKind.Sigmoid => "Sigmoid outputs",
                _ => null,
            };
            if (need != null)
                diagnostics.Add(Diag(DiagnosticDescriptors.LossDoesNotFitOutput, where, loss.ToString(), need, output.Activation.ToString(), Format(output.Units)));
        }

        private static T ReadEnum<T>(TypedConstant constant, string enumName, LocationInfo? where, List<DiagnosticInfo> diagnostics) where T : struct, Enum
        {
            if (constant.Value is int value)
            {
                if (Enum.IsDefined(typeof(T), value)) return (T)(object)value;
                diagnostics.Add(Diag(DiagnosticDescriptors.UndefinedEnum, where, Format(value), enumName));
            }
            return default;
        }

        private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static DiagnosticInfo Diag(DiagnosticDescriptor descriptor, LocationInfo? where, params string[] args)
            => new DiagnosticInfo(descriptor.Id, where, new EquatableArray<string>(args));

        private static LocationInfo? ToInfo(Location location)
        {
            if (location.SourceTree is null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }

        private static LocationInfo? LocationOf(INamedTypeSymbol type)
            => type.Locations.Length > 0 ? ToInfo(type.Locations[0]) : null;

        private static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken ct)
            => attribute.ApplicationSyntaxReference?.GetSyntax(ct) is AttributeSyntax syntax ? ToInfo(syntax.GetLocation()) : null;

        private static LocationInfo? NamedArgumentLocation(AttributeData attribute, string name, CancellationToken ct)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax { ArgumentList: { } list }) return null;
            var argument = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return argument is null ? null : ToInfo(argument.GetLocation());
        }

        private static LocationInfo? PositionalArgumentLocation(AttributeData attribute, int index, CancellationToken ct)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax { ArgumentList: { } list }) return null;
            var positional = list.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
            return index < positional.Count ? ToInfo(positional[index].GetLocation()) : null;
        }
    }
}
