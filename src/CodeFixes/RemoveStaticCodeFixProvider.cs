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
    /// CNET0029: removes <c>static</c> from every declaration of the network class. Static members stay static and
    /// keep working in a non-static class (<c>Net.Member</c>, <c>using static</c>); the one thing only a static class may
    /// hold is extensions, so no fix is offered for a class that declares an extension method or an extension block.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveStaticCodeFixProvider)), Shared]
    public sealed class RemoveStaticCodeFixProvider : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.StaticClass);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var declaration = NetworkDeclaration.DeclarationAt(root, diagnostic.Location.SourceSpan);
                if (declaration is null || !declaration.Modifiers.Any(SyntaxKind.StaticKeyword)) continue;
                if (model.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type || HoldsExtensions(type)) continue;
                var solution = context.Document.Project.Solution;
                context.RegisterCodeFix(CodeAction.Create(
                    $"Remove 'static' from class '{type.Name}'",
                    ct => RemoveStaticAsync(solution, type, ct),
                    DiagnosticIds.StaticClass + ".RemoveStatic"), diagnostic);
            }
        }

        /// <summary>
        /// Extension methods, and C# 14 extension blocks (a nested type whose kind is Extension in a newer compiler; the
        /// name is compared because this assembly is built against an older one).
        /// </summary>
        private static bool HoldsExtensions(INamedTypeSymbol type)
            => type.GetMembers().OfType<IMethodSymbol>().Any(m => m.IsExtensionMethod)
               || type.GetTypeMembers().Any(t => t.TypeKind.ToString() == "Extension");

        private static async Task<Solution> RemoveStaticAsync(Solution solution, INamedTypeSymbol type, CancellationToken ct)
        {
            var byTree = type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>()
                .Where(d => d.Modifiers.Any(SyntaxKind.StaticKeyword))
                .GroupBy(d => d.SyntaxTree);
            foreach (var group in byTree)
            {
                var document = solution.GetDocument(group.Key);
                if (document is null) continue;
                var root = await group.Key.GetRootAsync(ct).ConfigureAwait(false);
                solution = solution.WithDocumentSyntaxRoot(document.Id, root.ReplaceNodes(group, (_, rewritten) => WithoutStatic(rewritten)));
            }
            return solution;
        }

        /// <summary>
        /// The declaration without its <c>static</c> modifier and the space after it. When <c>static</c> came first, its
        /// leading trivia (indentation, comments) passes to what now comes first.
        /// </summary>
        private static TypeDeclarationSyntax WithoutStatic(TypeDeclarationSyntax declaration)
        {
            int index = declaration.Modifiers.IndexOf(SyntaxKind.StaticKeyword);
            if (index < 0) return declaration;
            var removed = declaration.Modifiers[index];
            var modifiers = declaration.Modifiers.RemoveAt(index);
            if (index > 0) return declaration.WithModifiers(modifiers);
            if (modifiers.Count > 0)
                return declaration.WithModifiers(modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia(removed.LeadingTrivia)));
            return declaration.WithModifiers(modifiers).WithKeyword(declaration.Keyword.WithLeadingTrivia(removed.LeadingTrivia));
        }
    }
}
