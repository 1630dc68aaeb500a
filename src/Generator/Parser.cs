using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CompiledNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CompiledNet.Generator
{
    /// <summary>Turns the attributes on a network class into a <see cref="NetworkSpec"/> plus diagnostics.</summary>
    internal static class Parser
    {
        public const string NetworkAttribute = "CompiledNet.NetworkAttribute";
        private const string DenseAttribute = "CompiledNet.DenseAttribute";
        private const string LossAttribute = "CompiledNet.LossAttribute";
        private const string OptimizerAttribute = "CompiledNet.OptimizerAttribute";
        private const string RegularizationAttribute = "CompiledNet.RegularizationAttribute";

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var diagnostics = new List<DiagnosticInfo>();
            try
            {
                var spec = ParseCore(type, context.Attributes[0], diagnostics, ct);
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
        public static DiagnosticInfo? CheckLayersWithoutNetwork(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkAttribute)) return null;
            return Diag(DiagnosticDescriptors.LayersWithoutNetwork, LocationOf(type), type.Name);
        }

        private static NetworkSpec? ParseCore(INamedTypeSymbol type, AttributeData network, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(ct) is ClassDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    diagnostics.Add(Diag(DiagnosticDescriptors.NotPartial, ToInfo(declaration.Identifier.GetLocation()), type.Name));
            }
            if (type.IsGenericType)
                diagnostics.Add(Diag(DiagnosticDescriptors.Generic, LocationOf(type), type.Name));

            var containing = new List<ContainingType>();
            for (var outer = type.ContainingType; outer != null; outer = outer.ContainingType)
            {
                bool isPartial = outer.DeclaringSyntaxReferences.All(r =>
                    r.GetSyntax(ct) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!isPartial || outer.IsGenericType)
                    diagnostics.Add(Diag(DiagnosticDescriptors.ContainingTypeNotPartial, LocationOf(type), type.Name, outer.Name));
                string kind = outer.IsRecord ? (outer.TypeKind == TypeKind.Struct ? "record struct" : "record")
                    : outer.TypeKind == TypeKind.Struct ? "struct" : outer.TypeKind == TypeKind.Interface ? "interface" : "class";
                containing.Insert(0, new ContainingType(kind, outer.Name));
            }

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
            if (input <= 0)
            {
                var where = NamedArgumentLocation(network, "Input", ct) ?? AttributeLocation(network, ct) ?? LocationOf(type);
                diagnostics.Add(Diag(DiagnosticDescriptors.InputSize, where, Format(input)));
            }
            if (batchSize <= 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.BatchSize, NamedArgumentLocation(network, "BatchSize", ct) ?? AttributeLocation(network, ct), Format(batchSize)));

            // Layers: [Dense] attributes in source order.
            var attributes = type.GetAttributes();
            var dense = attributes.Where(a => a.AttributeClass?.ToDisplayString() == DenseAttribute).ToList();
            var owners = dense.Select(a => a.ApplicationSyntaxReference?.GetSyntax(ct).FirstAncestorOrSelf<TypeDeclarationSyntax>())
                .Where(d => d != null).Distinct().ToList();
            if (owners.Count > 1)
                diagnostics.Add(Diag(DiagnosticDescriptors.LayersInSeveralDeclarations, ToInfo(owners[1]!.Identifier.GetLocation()), type.Name));
            dense.Sort((a, b) => (a.ApplicationSyntaxReference?.Span.Start ?? 0).CompareTo(b.ApplicationSyntaxReference?.Span.Start ?? 0));

            if (dense.Count == 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.NoLayers, AttributeLocation(network, ct) ?? LocationOf(type), type.Name));

            var layers = new List<LayerSpec>();
            bool unreadable = false;
            int fanIn = input;
            for (int l = 0; l < dense.Count; l++)
            {
                var a = dense[l];
                if (a.ConstructorArguments.Length != 2 || a.AttributeConstructor is null)
                {
                    unreadable = true; // the compiler reports the bad constructor call; emitting a guess would only add noise
                    continue;
                }
                int units = a.ConstructorArguments[0].Value is int u ? u : 0;
                if (units <= 0)
                    diagnostics.Add(Diag(DiagnosticDescriptors.Units, PositionalArgumentLocation(a, 0, ct) ?? AttributeLocation(a, ct), Format(l + 1), Format(units)));

                var activation = ReadEnum<ActivationKind>(a.ConstructorArguments[1], "Activation", PositionalArgumentLocation(a, 1, ct) ?? AttributeLocation(a, ct), diagnostics);
                if (activation == ActivationKind.Softmax && l != dense.Count - 1)
                    diagnostics.Add(Diag(DiagnosticDescriptors.SoftmaxNotLast, PositionalArgumentLocation(a, 1, ct) ?? AttributeLocation(a, ct), Format(l + 1), Format(dense.Count)));

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
                            if (l == dense.Count - 1 && p != 0f)
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
                    if (l == dense.Count - 1)
                        diagnostics.Add(Diag(DiagnosticDescriptors.MaxoutPlacement, activationWhere, Format(l + 1), "on the output layer"));
                    else if (batchNorm)
                        diagnostics.Add(Diag(DiagnosticDescriptors.MaxoutPlacement, activationWhere, Format(l + 1), "with BatchNorm"));
                }
                else pieces = 1;
                if (batchNorm && biasExplicit)
                    diagnostics.Add(Diag(DiagnosticDescriptors.RedundantBias, NamedArgumentLocation(a, "Bias", ct) ?? AttributeLocation(a, ct), Format(l + 1)));
                layers.Add(new LayerSpec(fanIn, units, activation, init, dropout, dropConnect, batchNorm, Math.Max(pieces, 1), bias && !batchNorm));
                fanIn = units;
            }

            // [Loss(kind)]
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

            CheckSize(layers, batchSize, AttributeLocation(network, ct) ?? LocationOf(type), diagnostics);
            CheckSaturatingStack(dense, layers, ct, diagnostics);

            var optimizer = ParseOptimizer(attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == OptimizerAttribute), diagnostics, ct);
            var regularization = ParseRegularization(attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RegularizationAttribute), diagnostics, ct);

            if (unreadable || layers.Count == 0) return null;
            if (diagnostics.Any(d => DiagnosticDescriptors.Get(d.Id).DefaultSeverity == DiagnosticSeverity.Error)) return null;

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            return new NetworkSpec(ns, type.Name, EquatableArray.From(containing), input, batchSize, inputDropout,
                EquatableArray.From(layers), loss, optimizer, regularization);
        }

        private const long MaxParameters = 50_000_000, MaxBufferFloats = 50_000_000;

        private static void CheckSize(List<LayerSpec> layers, int batchSize, LocationInfo? where, List<DiagnosticInfo> diagnostics)
        {
            long parameters = 0;
            foreach (var layer in layers)
            {
                if (layer.Inputs <= 0 || layer.Units <= 0) return; // already reported
                parameters += (long)layer.Inputs * layer.Width + layer.Width;
                long buffer = (long)Math.Max(batchSize, 1) * layer.Width;
                if (buffer > MaxBufferFloats)
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, where, "BatchSize × units of a layer", Format(buffer), Format(MaxBufferFloats)));
                    return;
                }
            }
            if (parameters > MaxParameters)
                diagnostics.Add(Diag(DiagnosticDescriptors.TooLarge, where, "The parameter count", Format(parameters), Format(MaxParameters)));
        }

        /// <summary>Three or more consecutive hidden Sigmoid/Tanh layers: the lecture's vanishing-gradient worry, as information.</summary>
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

        private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

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
