using System.Linq;
using CompiledNet.Generator.Emit;
using CompiledNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CompiledNet.Generator
{
    /// <summary>
    /// The pipeline only: find classes marked [Network], parse each into an equatable model, then report its
    /// diagnostics and emit its code as two separate outputs (a diagnostic change never re-emits source).
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking name of the parse step, for incremental-caching tests.</summary>
        public const string ParseStep = "CompiledNet.Parse";

        /// <summary>Tracking name of the emitted model, for incremental-caching tests.</summary>
        public const string SpecStep = "CompiledNet.Spec";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.NetworkAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => Parser.Parse(ctx, ct))
                .WithTrackingName(ParseStep);

            context.RegisterSourceOutput(parsed.Select(static (r, _) => r.Diagnostics), static (spc, diagnostics) =>
            {
                foreach (var d in diagnostics)
                {
                    var location = d.Location is null ? Location.None : Location.Create(d.Location.FilePath, d.Location.Span, d.Location.LineSpan);
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Get(d.Id), location, d.Arguments.ToArray<object>()));
                }
            });

            var specs = parsed
                .Select(static (r, _) => r.Spec)
                .Where(static s => s is not null)
                .WithTrackingName(SpecStep);

            context.RegisterSourceOutput(specs, static (spc, spec) =>
                spc.AddSource(spec!.HintName, SourceText.From(NetworkEmitter.Emit(spec), System.Text.Encoding.UTF8)));
        }
    }
}
