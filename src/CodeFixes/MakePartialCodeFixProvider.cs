using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CompiledNet.CodeFixes
{
    /// <summary>
    /// CNET0001: adds <c>partial</c> to the network class's declaration. CNET0003: adds it to every enclosing type that
    /// lacks it (in whichever files they are declared), and to the network class too if it lacks it. No fix for a generic
    /// enclosing type: <c>partial</c> does not help there.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
    public sealed class MakePartialCodeFixProvider : CodeFixProvider
    {
        private const string ClassKey = DiagnosticIds.NotPartial + ".AddPartial";
        private const string ContainingKey = DiagnosticIds.ContainingTypeNotPartial + ".AddPartial";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticIds.NotPartial, DiagnosticIds.ContainingTypeNotPartial);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var declaration = NetworkDeclaration.DeclarationAt(root, diagnostic.Location.SourceSpan);
                if (declaration is null) continue;
                if (diagnostic.Id == DiagnosticIds.NotPartial)
                {
                    if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) continue;
                    context.RegisterCodeFix(CodeAction.Create(
                        $"Add 'partial' to class '{declaration.Identifier.ValueText}'",
                        ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration, NetworkDeclaration.WithPartial(declaration)))),
                        ClassKey), diagnostic);
                    continue;
                }

                var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                if (model?.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type) continue;
                var targets = TypesToMakePartial(type, context.CancellationToken);
                if (targets is null || targets.Count == 0) continue;
                var solution = context.Document.Project.Solution;
                context.RegisterCodeFix(CodeAction.Create(
                    $"Add 'partial' to {NetworkDeclaration.Names(targets.Select(t => t.Name).ToList())}",
                    ct => AddPartialAsync(solution, targets, ct),
                    ContainingKey), diagnostic);
            }
        }

        /// <summary>Outermost first: every enclosing type (and the class itself) with a declaration that lacks 'partial'; null if one is generic.</summary>
        private static List<INamedTypeSymbol>? TypesToMakePartial(INamedTypeSymbol type, CancellationToken ct)
        {
            var result = new List<INamedTypeSymbol>();
            for (var t = type; t != null; t = t.ContainingType)
            {
                if (!SymbolEqualityComparer.Default.Equals(t, type) && t.IsGenericType) return null;
                if (t.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is TypeDeclarationSyntax d && !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                    result.Insert(0, t);
            }
            return result.Any(t => !SymbolEqualityComparer.Default.Equals(t, type)) ? result : null;
        }

        private static async Task<Solution> AddPartialAsync(Solution solution, List<INamedTypeSymbol> types, CancellationToken ct)
        {
            var byTree = types.SelectMany(t => t.DeclaringSyntaxReferences)
                .Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>()
                .Where(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword))
                .GroupBy(d => d.SyntaxTree);
            foreach (var group in byTree)
            {
                var document = solution.GetDocument(group.Key);
                if (document is null) continue;
                var root = await group.Key.GetRootAsync(ct).ConfigureAwait(false);
                // Nested declarations: the callback receives the node with its inner replacements already made.
                root = root.ReplaceNodes(group, (_, rewritten) => NetworkDeclaration.WithPartial(rewritten));
                solution = solution.WithDocumentSyntaxRoot(document.Id, root);
            }
            return solution;
        }
    }
}
