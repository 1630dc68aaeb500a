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

            var orphanLayers = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.DenseAttributeName,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => Parser.CheckLayersWithoutNetwork(ctx, ct))
                .Where(static d => d is not null);
            context.RegisterSourceOutput(orphanLayers, static (spc, d) =>
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Get(d!.Id),
                    d.Location is null ? Location.None : Location.Create(d.Location.FilePath, d.Location.Span, d.Location.LineSpan),
                    d.Arguments.ToArray<object>())));

            var specs = parsed
                .Select(static (r, _) => r.Spec)
                .Where(static s => s is not null)
                .WithTrackingName(SpecStep);

            context.RegisterSourceOutput(specs, static (spc, spec) =>
            {
                string text;
                try
                {
                    text = NetworkEmitter.Emit(spec!);
                }
                catch (System.Exception ex) when (ex is not System.OperationCanceledException)
                {
                    // Never fail the build with CS8785: a model the emitter cannot handle is a bug reported as CNET9999.
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, spec!.ClassName, ex.GetType().Name + ": " + ex.Message));
                    return;
                }
                spc.AddSource(spec!.HintName, SourceText.From(text, System.Text.Encoding.UTF8));
            });
        }
    }
}
