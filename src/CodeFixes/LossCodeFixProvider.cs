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
using Microsoft.CodeAnalysis.Simplification;

namespace CompiledNet.CodeFixes
{
    /// <summary>
    /// The loss that fits the output layer (<see cref="NetworkDeclaration.FittingLoss"/>): CNET0010 inserts a
    /// <c>[Loss(…)]</c>, CNET0011 replaces a loss that does not fit, CNET0019 replaces quadratic loss on a Sigmoid output
    /// by log-loss. The output layer itself is never changed; where only a change of the layer would help (Tanh, Maxout,
    /// a one-unit Softmax), no fix is offered.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LossCodeFixProvider)), Shared]
    public sealed class LossCodeFixProvider : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticIds.MissingLoss, DiagnosticIds.LossDoesNotFitOutput, DiagnosticIds.QuadraticOnSaturatingOutput);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var document = context.Document;
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var declaration = NetworkDeclaration.DeclarationAt(root, diagnostic.Location.SourceSpan);
                if (declaration is null || model.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type) continue;
                if (NetworkDeclaration.OutputLayer(type, context.CancellationToken) is not { } output) continue;
                string? fitting = NetworkDeclaration.FittingLoss(output.Activation, output.Units);
                if (fitting is null) continue;

                if (diagnostic.Id == DiagnosticIds.MissingLoss)
                {
                    if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkDeclaration.LossAttribute)) continue;
                    context.RegisterCodeFix(CodeAction.Create(
                        $"Add [Loss(LossKind.{fitting})] for the {output.Activation} output layer",
                        ct => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, WithLoss(declaration, fitting)))),
                        DiagnosticIds.MissingLoss + ".AddLoss"), diagnostic);
                    continue;
                }

                // CNET0011 and CNET0019 point at the loss kind argument of [Loss(kind)].
                var argument = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();
                if (argument is null) continue;
                var current = model.GetConstantValue(argument.Expression, context.CancellationToken);
                string? currentName = current.HasValue && current.Value is int v && v >= 0 && v <= 2
                    ? new[] { "Quadratic", "LogLoss", "SoftmaxCrossEntropy" }[v] : null;
                if (currentName is null || currentName == fitting) continue;
                if (diagnostic.Id == DiagnosticIds.QuadraticOnSaturatingOutput && fitting != "LogLoss") continue;
                context.RegisterCodeFix(CodeAction.Create(
                    $"Replace LossKind.{currentName} by LossKind.{fitting}, which fits the {output.Activation} output layer",
                    ct => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, LossKindExpression(argument.Expression, fitting)))),
                    diagnostic.Id + ".ReplaceLoss"), diagnostic);
            }
        }

        /// <summary>
        /// Keeps the user's qualification (<c>LossKind.X</c>, <c>CompiledNet.LossKind.X</c>) and only renames the member;
        /// anything else becomes a fully qualified name that the simplifier shortens as far as the file's usings allow.
        /// </summary>
        private static ExpressionSyntax LossKindExpression(ExpressionSyntax old, string member)
        {
            if (old is MemberAccessExpressionSyntax access)
                return access.WithName(SyntaxFactory.IdentifierName(member).WithTriviaFrom(access.Name));
            return SyntaxFactory.ParseExpression("global::CompiledNet.LossKind." + member)
                .WithTriviaFrom(old).WithAdditionalAnnotations(Simplifier.Annotation);
        }

        /// <summary>
        /// A new attribute list after the last one that holds a [Dense] (else after the last list), on its own line when
        /// the lists are on lines of their own, on the same line when they share one.
        /// </summary>
        private static TypeDeclarationSyntax WithLoss(TypeDeclarationSyntax declaration, string lossKind)
        {
            var lists = declaration.AttributeLists;
            int index = -1;
            for (int i = 0; i < lists.Count; i++)
                if (lists[i].Attributes.Any(a => IsDense(a.Name))) index = i;
            if (index < 0) index = lists.Count - 1;

            var attribute = SyntaxFactory.ParseCompilationUnit($"[global::CompiledNet.Loss(global::CompiledNet.LossKind.{lossKind})] class C {{ }}")
                .DescendantNodes().OfType<AttributeSyntax>().Single()
                .WithAdditionalAnnotations(Simplifier.Annotation);
            if (index < 0)
            {
                // No attribute list at all cannot carry this diagnostic (it needs [Network]); keep a sensible fallback.
                return declaration.AddAttributeLists(SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)));
            }
            var anchor = lists[index];
            bool ownLine = anchor.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            var indentation = ownLine
                ? anchor.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse()
                : Enumerable.Empty<SyntaxTrivia>();
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                .WithLeadingTrivia(indentation)
                // Only layout is copied: a comment after the anchor stays with the anchor.
                .WithTrailingTrivia(ownLine
                    ? anchor.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).Take(1)
                    : anchor.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)));
            return declaration.WithAttributeLists(lists.Insert(index + 1, list));
        }

        private static bool IsDense(NameSyntax name)
        {
            string text = name switch
            {
                QualifiedNameSyntax q => q.Right.Identifier.ValueText,
                AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
                SimpleNameSyntax s => s.Identifier.ValueText,
                _ => "",
            };
            return text is "Dense" or "DenseAttribute";
        }
    }
}
