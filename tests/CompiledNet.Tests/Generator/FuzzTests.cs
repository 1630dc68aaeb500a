using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>
/// Random declarations — odd, out-of-range and overflowing numbers, non-finite rates, undefined enum casts, missing
/// attributes, wrong argument types, stray tokens, class and namespace names that clash with generated members or are
/// contextual keywords — must never make the generator throw (CS8785, or our CNET9999 safety net). Each run either
/// generates code that compiles, or reports an error and generates nothing: never errors inside generated code.
/// </summary>
public class FuzzTests
{
    private static readonly string[] Activations = { "Activation.Linear", "Activation.Sigmoid", "Activation.Tanh", "Activation.ReLU", "Activation.Softmax", "Activation.Maxout", "(Activation)7", "(Activation)(-1)", "\"ReLU\"", "3" };

    // Ordinary names, names of generated members, and contextual keywords.
    private static readonly string[] ClassNames = { "Net", "DigitNet", "Inputs", "Input", "Output", "InputSize", "Predict", "Classify", "Parameters", "Loss", "Step", "Forward_L1", "Segment1", "_net", "var", "nint", "nuint", "dynamic", "record", "async", "await", "value", "nameof", "file", "scoped", "required", "managed", "@class" };

    private static readonly string[] Namespaces = { "Fuzz", "My.Networks", "Input", "Predict", "Networks.Output", "app", "async", "dynamic", "record", "@event.Nets", "var", "nint", "My.nuint", "Unsafe.Nets" };
    private static readonly string[] Losses = { "LossKind.Quadratic", "LossKind.LogLoss", "LossKind.SoftmaxCrossEntropy", "(LossKind)9", "null" };
    private static readonly string[] Optimizers = { "OptimizerKind.Sgd", "OptimizerKind.Momentum", "OptimizerKind.Nesterov", "OptimizerKind.Adagrad", "OptimizerKind.RmsProp", "OptimizerKind.Adam", "(OptimizerKind)42" };
    private static readonly string[] Inits = { "WeightInit.LeCun", "WeightInit.Glorot", "WeightInit.He", "(WeightInit)5" };

    // Each piece is valid most of the time, so a declaration carries zero, one or a few faults.
    private static bool Fault(Random r) => r.Next(10) == 0;

    private static string Number(Random r) => !Fault(r) ? r.Next(1, 40).ToString() : r.Next(9) switch
    {
        0 => "0",
        1 => "-" + r.Next(1, 5),
        2 => "int.MaxValue",
        3 => "int.MinValue",
        4 => "1431655766", // × 3 wraps to 2 in 32 bits
        5 => "100000",
        6 => "60000000",
        7 => "65536",
        _ => "\"12\"",
    };

    private static string Unit(Random r) => !Fault(r)
        ? (r.NextDouble() * 0.98 + 0.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f"
        : r.Next(8) switch { 0 => "0f", 1 => "-0.5f", 2 => "float.NaN", 3 => "float.PositiveInfinity", 4 => "float.NegativeInfinity", 5 => "1f", 6 => "1e30f", _ => "2.5f" };

    private static string Declaration(Random r)
    {
        var s = new StringBuilder($"using CompiledNet;\nnamespace {(Fault(r) ? Namespaces[r.Next(Namespaces.Length)] : "Fuzz")};\n");
        if (!Fault(r))
        {
            var named = new List<string>();
            if (!Fault(r)) named.Add("Input = " + Number(r));
            if (r.Next(3) == 0) named.Add("BatchSize = " + Number(r));
            if (r.Next(6) == 0) named.Add("InputDropout = " + Unit(r));
            s.Append($"[Network({string.Join(", ", named)})]\n");
        }
        int layers = Fault(r) ? 0 : r.Next(1, 5);
        string output = "Activation.Softmax";
        for (int l = 0; l < layers; l++)
        {
            string init = r.Next(4) == 0 ? ", Init = " + (Fault(r) ? "(WeightInit)5" : Inits[r.Next(3)]) : "";
            bool last = l == layers - 1;
            string act = Fault(r) ? Activations[r.Next(Activations.Length)] : last ? Activations[r.Next(5)] : r.Next(6) == 0 ? "Activation.Maxout" : Activations[r.Next(4)];
            if (last) output = act;
            bool maxout = act == "Activation.Maxout";
            // Valid options most of the time: maxout with 2–4 pieces on a hidden layer without batch norm, dropout on hidden layers.
            string options = init
                + (maxout ? ", Pieces = " + (Fault(r) ? Number(r) : r.Next(2, 5).ToString()) : r.Next(20) == 0 ? ", Pieces = " + Number(r) : "")
                + (r.Next(5) == 0 && (!maxout || Fault(r)) ? ", BatchNorm = true" : "")
                + (r.Next(6) == 0 && (!last || Fault(r)) ? ", Dropout = " + Unit(r) : "")
                + (r.Next(6) == 0 ? ", DropConnect = " + Unit(r) : "")
                + (r.Next(8) == 0 ? ", Bias = false" : "");
            s.Append(Fault(r) ? "[Dense(4)]\n" : $"[Dense({Number(r)}, {act}{options})]\n");
        }
        string loss = output switch
        {
            "Activation.Softmax" => r.Next(2) == 0 ? "LossKind.SoftmaxCrossEntropy" : "LossKind.Quadratic",
            "Activation.Sigmoid" => r.Next(2) == 0 ? "LossKind.LogLoss" : "LossKind.Quadratic",
            _ => "LossKind.Quadratic",
        };
        if (!Fault(r)) s.Append($"[Loss({(Fault(r) ? Losses[r.Next(Losses.Length)] : loss)})]\n");
        if (r.Next(2) == 0)
        {
            var named = new List<string>();
            foreach (var name in new[] { "LearningRate", "Momentum", "Rho", "Beta1", "Beta2", "Epsilon", "Decay" })
                if (r.Next(5) == 0) named.Add($"{name} = {Unit(r)}");
            if (r.Next(6) == 0) named.Add("DecayEvery = " + Number(r));
            s.Append($"[Optimizer({(Fault(r) ? "(OptimizerKind)42" : Optimizers[r.Next(6)])}{string.Concat(named.Select(n => ", " + n))})]\n");
        }
        if (r.Next(4) == 0) s.Append($"[Regularization(L2 = {Unit(r)}, L1 = {Unit(r)}, WeightDecay = {Unit(r)})]\n");
        string className = Fault(r) ? ClassNames[r.Next(ClassNames.Length)] : "Net";
        s.Append(!Fault(r) ? $"public partial class {className} {{ }}" : r.Next(9) switch
        {
            0 => $"public class {className} {{ }}",
            1 => $"public partial class {className}<T> {{ }}",
            2 => $"public partial class {className} {{ int x = ; }}",
            3 => $"public static partial class {className} {{ }}",
            4 => $"public partial record {className};",
            5 => $"public partial struct {className} {{ }}",
            6 => $"public partial record struct {className};",
            7 => $"public partial class Outer {{ public partial class {className} {{ }} }}",
            _ => $"public static partial class Outer {{ public partial class {className} {{ }} }}",
        });
        return s.ToString();
    }

    [Fact]
    public void RandomDeclarationsNeverCrashTheGenerator_AndYieldCompilingCodeOrErrors()
    {
        var random = new Random(20261125);
        int generated = 0, rejected = 0;
        for (int i = 0; i < 300; i++)
        {
            string source = Declaration(random);
            var result = GeneratorHarness.Run(source);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id is "CS8785" or "CNET9999");
            var errors = result.Output.GetDiagnostics().Concat(result.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (result.Sources.Count > 0)
            {
                var inGenerated = errors.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true).ToList();
                Assert.True(inGenerated.Count == 0, $"generated code does not compile for:\n{source}\n{string.Join("\n", inGenerated.Take(5))}");
                generated++;
            }
            else
            {
                bool declared = source.Contains("[Network");
                Assert.True(errors.Count > 0 || !declared && result.Diagnostics.Any(d => d.Id == "CNET0021") || !declared && !source.Contains("[Dense"),
                    $"no code and no error for:\n{source}");
                rejected++;
            }
        }
        // The generator saw both kinds of input.
        Assert.True(generated > 40 && rejected > 40, $"{generated} generated, {rejected} rejected");
    }
}
