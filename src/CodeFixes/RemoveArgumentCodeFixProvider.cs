using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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

        /// <summary>
        /// All arguments of a document are removed in one edit: the batch fixer would merge one text change per
        /// argument, and two neighbours in the same list share a comma, so it would drop one of the two changes.
        /// </summary>
        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return document;
            var arguments = diagnostics.Select(d => ArgumentAt(root, d)).Where(a => a != null).Distinct().ToList();
            return arguments.Count == 0 ? document : document.WithSyntaxRoot(root.RemoveNodes(arguments!, SyntaxRemoveOptions.KeepNoTrivia)!);
        });

        /// <summary>Only a named argument (Name = value) that is exactly what the diagnostic points at.</summary>
        private static AttributeArgumentSyntax? ArgumentAt(SyntaxNode root, Diagnostic diagnostic)
        {
            var argument = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();
            return argument?.NameEquals != null && argument.Span == diagnostic.Location.SourceSpan ? argument : null;
        }

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var argument = ArgumentAt(root, diagnostic);
                if (argument is null) continue;
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
