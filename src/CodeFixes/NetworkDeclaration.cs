using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CompiledNet.CodeFixes
{
    /// <summary>What the fixes need to know about a network declaration, read from its attributes as the generator reads them.</summary>
    internal static class NetworkDeclaration
    {
        public const string DenseAttribute = "CompiledNet.DenseAttribute";
        public const string LossAttribute = "CompiledNet.LossAttribute";

        // The values of CompiledNet.Activation and CompiledNet.LossKind (the attributes assembly is not loaded here).
        private static readonly string[] Activations = { "Linear", "Sigmoid", "Tanh", "ReLU", "Softmax", "Maxout" };
        private static readonly string[] LossKinds = { "Quadratic", "LogLoss", "SoftmaxCrossEntropy" };

        /// <summary>The output layer: the last [Dense] in source order, as its activation's name and its units.</summary>
        public static (string Activation, int Units)? OutputLayer(INamedTypeSymbol type, CancellationToken ct)
        {
            var last = type.GetAttributes()
                .Where(a => a.AttributeClass?.ToDisplayString() == DenseAttribute && a.ApplicationSyntaxReference != null)
                .OrderBy(a => a.ApplicationSyntaxReference!.Span.Start)
                .LastOrDefault();
            if (last is null || last.ConstructorArguments.Length != 2) return null;
            if (last.ConstructorArguments[0].Value is not int units || last.ConstructorArguments[1].Value is not int activation) return null;
            if (activation < 0 || activation >= Activations.Length) return null;
            return (Activations[activation], units);
        }

        /// <summary>
        /// The loss that fits an output layer without changing it: softmax cross-entropy for a Softmax output of at least
        /// 2 units, log-loss for Sigmoid, quadratic for Linear and ReLU. Tanh and Maxout outputs have none (log-loss needs
        /// outputs in (0, 1), quadratic loss on tanh saturates: fixing those means changing the layer, a choice).
        /// </summary>
        public static string? FittingLoss(string activation, int units) => activation switch
        {
            "Softmax" when units >= 2 => "SoftmaxCrossEntropy",
            "Sigmoid" => "LogLoss",
            "Linear" or "ReLU" => "Quadratic",
            _ => null,
        };

        public static string? LossName(TypedConstant constant)
            => constant.Value is int value && value >= 0 && value < LossKinds.Length ? LossKinds[value] : null;

        /// <summary>The declaration of the class that a diagnostic at <paramref name="span"/> belongs to.</summary>
        public static TypeDeclarationSyntax? DeclarationAt(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
            => root.FindToken(span.Start).Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>();

        /// <summary>
        /// The declaration with <c>partial</c> added right before its keyword (C# requires that position). With no other
        /// modifier, the keyword's leading trivia (indentation, comments) moves to <c>partial</c>.
        /// </summary>
        public static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
        {
            if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) return declaration;
            if (declaration.Modifiers.Count == 0)
            {
                var keyword = declaration.Keyword;
                var partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
                return declaration.WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                    .WithModifiers(SyntaxFactory.TokenList(partial));
            }
            return declaration.WithModifiers(declaration.Modifiers.Add(
                SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
        }

        /// <summary>"'A'", "'A' and 'B'", "'A', 'B' and 'C'".</summary>
        public static string Names(IReadOnlyList<string> names)
        {
            var quoted = names.Select(n => "'" + n + "'").ToList();
            return quoted.Count == 1 ? quoted[0] : string.Join(", ", quoted.Take(quoted.Count - 1)) + " and " + quoted[quoted.Count - 1];
        }
    }
}
