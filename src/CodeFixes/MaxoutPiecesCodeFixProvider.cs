using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CompiledNet.CodeFixes
{
    /// <summary>
    /// CNET0025: a maxout layer needs k ≥ 2 pieces; 2, the smallest, is what the fix writes (Goodfellow et al., 2013,
    /// "Maxout Networks", use k from 2 to 5). It adds <c>Pieces = 2</c>, or sets an existing <c>Pieces</c> to 2.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MaxoutPiecesCodeFixProvider)), Shared]
    public sealed class MaxoutPiecesCodeFixProvider : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MaxoutPieces);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var list = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentListSyntax>();
                if (list is null) continue;
                var pieces = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Pieces");
                var two = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(2));
                if (pieces != null)
                {
                    context.RegisterCodeFix(CodeAction.Create(
                        $"Replace '{pieces}' by 'Pieces = 2'",
                        ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(pieces.Expression, two.WithTriviaFrom(pieces.Expression)))),
                        DiagnosticIds.MaxoutPieces + ".SetPieces"), diagnostic);
                    continue;
                }
                var argument = SyntaxFactory.AttributeArgument(
                    SyntaxFactory.NameEquals(
                        SyntaxFactory.IdentifierName("Pieces").WithTrailingTrivia(SyntaxFactory.Space),
                        SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)),
                    null, two);
                context.RegisterCodeFix(CodeAction.Create(
                    "Add 'Pieces = 2' to the maxout layer",
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(list, Append(list, argument)))),
                    DiagnosticIds.MaxoutPieces + ".AddPieces"), diagnostic);
            }
        }

        /// <summary>The argument after the last one, separated like the list's last separator (", " when it has none).</summary>
        private static AttributeArgumentListSyntax Append(AttributeArgumentListSyntax list, AttributeArgumentSyntax argument)
        {
            var arguments = list.Arguments;
            var last = arguments.Last();
            var separator = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(arguments.SeparatorCount > 0
                ? arguments.GetSeparator(arguments.SeparatorCount - 1).TrailingTrivia
                : SyntaxFactory.TriviaList(SyntaxFactory.Space));
            // The new argument is indented like the last one; trivia after the last argument (before ')') stays at the end.
            var nodesAndTokens = arguments.GetWithSeparators()
                .Replace(last, last.WithoutTrailingTrivia())
                .Add(separator)
                .Add(argument.WithLeadingTrivia(arguments.SeparatorCount > 0 ? last.GetLeadingTrivia() : SyntaxFactory.TriviaList())
                    .WithTrailingTrivia(last.GetTrailingTrivia()));
            return list.WithArguments(SyntaxFactory.SeparatedList<AttributeArgumentSyntax>(nodesAndTokens));
        }
    }
}
