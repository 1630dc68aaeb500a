using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CompiledNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CompiledNet.Generator
{
    /// <summary>
    /// Reports the diagnostics of network declarations. It runs <see cref="Parser"/> — the generator's own parser — on
    /// every type that carries [Network] (and on every type with [Dense] layers but no [Network], CNET0021), so an IDE
    /// shows a mistake while the declaration is typed, not only once the generator runs. The generator parses the same
    /// declaration, emits nothing when it has an error, and reports none of these diagnostics itself: each is reported
    /// once, here. Being an analyzer's, they obey every analyzer setting: #pragma, .editorconfig severities per id and
    /// per category (CompiledNet.Declaration, CompiledNet.Training).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NetworkAnalyzer : DiagnosticAnalyzer
    {
        private static readonly ImmutableArray<DiagnosticDescriptor> Supported = DiagnosticDescriptors.All.ToImmutableArray();

        /// <summary>
        /// Every CompiledNet diagnostic. CNET9999 is reported here when parsing a declaration fails, and by the generator
        /// when emitting its code fails — the only diagnostic the generator still reports, since only it emits.
        /// </summary>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Supported;

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            // [Network] declarations are the user's; generated code never carries them.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        }

        private static void AnalyzeType(SymbolAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            AttributeData? network = null;
            bool hasLayers = false;
            foreach (var attribute in type.GetAttributes())
            {
                // Every type of the compilation comes here: the simple name is compared before the full name is built.
                if (attribute.AttributeClass is not { Name: "NetworkAttribute" or "DenseAttribute" } attributeClass) continue;
                string name = attributeClass.ToDisplayString();
                if (name == Parser.NetworkAttribute) network ??= attribute;
                else if (name == Parser.DenseAttributeName) hasLayers = true;
            }

            if (network is null)
            {
                if (hasLayers && Parser.CheckLayersWithoutNetwork(type) is { } orphan) Report(context, type, orphan);
                return;
            }

            // The declaration that carries [Network], as the generator's ForAttributeWithMetadataName finds it: a class,
            // record, struct or interface declaration (the parser reports the ones that are not classes).
            if (network.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } target)
                return;
            var result = Parser.Parse(type, target, network, context.CancellationToken);
            foreach (var diagnostic in result.Diagnostics) Report(context, type, diagnostic);
        }

        private static void Report(SymbolAnalysisContext context, INamedTypeSymbol type, DiagnosticInfo d)
        {
            var location = Location.None;
            if (d.Location is { } info && TreeOf(context, type, info.FilePath) is { } tree && info.Span.End <= tree.Length)
                location = Location.Create(tree, info.Span);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Get(d.Id), location, d.Arguments.ToArray<object>()));
        }

        /// <summary>
        /// The syntax tree a parser location is in. Every location the parser reports lies in a declaration of the type or
        /// of a type enclosing it (class names, modifiers, attributes, namespaces), so those trees are searched first.
        /// </summary>
        private static SyntaxTree? TreeOf(SymbolAnalysisContext context, INamedTypeSymbol type, string path)
        {
            var trees = new List<SyntaxTree>();
            for (var t = type; t != null; t = t.ContainingType)
                foreach (var reference in t.DeclaringSyntaxReferences)
                    trees.Add(reference.SyntaxTree);
            return trees.FirstOrDefault(t => t.FilePath == path)
                ?? context.Compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == path);
        }
    }
}
