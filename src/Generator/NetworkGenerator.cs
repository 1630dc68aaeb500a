using CompiledNet.Generator.Emit;
using CompiledNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CompiledNet.Generator
{
    /// <summary>
    /// The pipeline only: find classes marked [Network], parse each into an equatable model and emit its code. The
    /// declaration's diagnostics are not reported here but by <see cref="NetworkAnalyzer"/>, which runs the same parser
    /// while the user types; the generator only refuses to emit when they include an error (the model is then null),
    /// and reports what only it can know: a failure of the emitter (CNET9999).
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
                    // Every type declaration, not only classes: the parser refuses records, structs and interfaces (CNET0028).
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => Parser.Parse(ctx, ct))
                .WithTrackingName(ParseStep);

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
                // A namespace such as @event.Nets is displayed with its '@', which a hint name may not contain.
                spc.AddSource(spec!.HintName.Replace("@", ""), SourceText.From(text, System.Text.Encoding.UTF8));
            });
        }
    }
}
