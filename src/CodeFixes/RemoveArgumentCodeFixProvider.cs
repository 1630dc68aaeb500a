using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CompiledNet.CodeFixes
{
    /// <summary>
    /// Removes the named argument a diagnostic points at, with its separator: CNET0017 (a hyperparameter the chosen
    /// optimizer does not use), CNET0024 (Dropout on the output layer), CNET0027 (Bias = true on a batch-normalised layer).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFixProvider)), Shared]
    public sealed class RemoveArgumentCodeFixProvider : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticIds.UnusedHyperparameter, DiagnosticIds.DropoutOnOutput, DiagnosticIds.RedundantBias);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var argument = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();
                // Only a named argument (Name = value) that is exactly what the diagnostic points at.
                if (argument?.NameEquals is null || argument.Span != diagnostic.Location.SourceSpan) continue;
                string text = argument.ToString();
                string title = diagnostic.Id switch
                {
                    DiagnosticIds.UnusedHyperparameter => $"Remove '{text}', which this optimizer does not use",
                    DiagnosticIds.DropoutOnOutput => $"Remove '{text}' from the output layer",
                    _ => $"Remove '{text}': batch normalisation's β replaces the bias",
                };
                context.RegisterCodeFix(CodeAction.Create(
                    title,
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(root.RemoveNode(argument, SyntaxRemoveOptions.KeepNoTrivia)!)),
                    diagnostic.Id + ".RemoveArgument"), diagnostic);
            }
        }
    }
}
