using System.Linq;
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
    /// and reports what only it can know: a failure of the emitter (CNET9999). In a build that runs no analyzer it
    /// reports the parser's diagnostics itself (<see cref="ReportDiagnosticsProperty"/>).
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        /// <summary>
        /// The MSBuild property (made visible to the compiler by the package's build file) that is true when the build
        /// runs no analyzer: the generator then reports the declaration diagnostics in the analyzer's place.
        /// </summary>
        public const string ReportDiagnosticsProperty = "build_property.CompiledNetReportDiagnostics";

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

            // A build that skips analyzers (RunAnalyzers or RunAnalyzersDuringBuild false) would show no declaration
            // diagnostic at all; the package's build file then sets CompiledNetReportDiagnostics, and the generator
            // reports the parser's diagnostics itself. The analyzer does not run in such a build, so none is doubled.
            var reportHere = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
                options.GlobalOptions.TryGetValue(ReportDiagnosticsProperty, out var value)
                && string.Equals(value, "true", System.StringComparison.OrdinalIgnoreCase));
            // Diagnostics are located in the user's syntax tree (found by path in the current compilation) so that
            // #pragma warning disable and other suppressions apply. Only declarations that have diagnostics are paired
            // with the compilation, so a clean declaration stays cached across unrelated edits.
            var diagnostics = parsed
                .Select(static (r, _) => r.Diagnostics)
                .Where(static d => d.Count > 0)
                .Combine(reportHere)
                .Where(static pair => pair.Right)
                .Select(static (pair, _) => pair.Left)
                .Combine(context.CompilationProvider);
            context.RegisterSourceOutput(diagnostics, static (spc, pair) =>
            {
                foreach (var d in pair.Left) Report(spc, d, pair.Right);
            });
            var orphanLayers = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.DenseAttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, _) => Parser.CheckLayersWithoutNetwork((INamedTypeSymbol)ctx.TargetSymbol))
                .Where(static d => d is not null)
                .Combine(reportHere)
                .Where(static pair => pair.Right)
                .Select(static (pair, _) => pair.Left)
                .Combine(context.CompilationProvider);
            context.RegisterSourceOutput(orphanLayers, static (spc, pair) => Report(spc, pair.Left!, pair.Right));

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

        private static void Report(SourceProductionContext spc, DiagnosticInfo d, Compilation compilation)
        {
            Location location = Location.None;
            if (d.Location is { } info)
            {
                var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.FilePath);
                location = tree is not null && info.Span.End <= tree.Length
                    ? Location.Create(tree, info.Span)
                    : Location.Create(info.FilePath, info.Span, info.LineSpan);
            }
            spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Get(d.Id), location, d.Arguments.ToArray<object>()));
        }
    }
}
