using System;
using CompiledNet.Generator.Model;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>The loss of one example, and the loss gradient that starts the backward pass (fused with the output activation).</summary>
    internal static class LossEmitter
    {
        public static void EmitExampleLoss(IndentedWriter w, NetworkSpec spec)
        {
            int o = spec.OutputSize;
            switch (spec.Loss)
            {
                case LossKind.SoftmaxCrossEntropy:
                    w.Line("/// <summary>Softmax cross-entropy of one example from its logits z: Σ_k t_k (logsumexp(z) − z_k), shifted by max z so nothing overflows.</summary>");
                    break;
                case LossKind.LogLoss:
                    w.Line("/// <summary>Log-loss of one example from its logits z: Σ_k max(z_k, 0) − z_k t_k + ln(1 + e^−|z_k|), finite even where σ(z) rounds to 0 or 1.</summary>");
                    break;
                default:
                    w.Line("/// <summary>Quadratic loss of one example: Σ_k (a_k − t_k)².</summary>");
                    break;
            }
            using (w.Member("private static float ExampleLoss(ref float z, ref float a, ref float t)"))
            {
                switch (spec.Loss)
                {
                    case LossKind.SoftmaxCrossEntropy:
                        ActivationEmitter.EmitRowMax(w, "z", o, "k");
                        w.Line("float sum = 0f;");
                        using (w.Open($"for (nuint k = 0; k < {Int(o)}; k++)"))
                            w.Line("sum += global::System.MathF.Exp(global::System.Runtime.CompilerServices.Unsafe.Add(ref z, k) - max);");
                        w.Line("float logSumExp = max + global::System.MathF.Log(sum);");
                        w.Line("float loss = 0f;");
                        using (w.Open($"for (nuint k = 0; k < {Int(o)}; k++)"))
                            w.Line("loss += global::System.Runtime.CompilerServices.Unsafe.Add(ref t, k) * (logSumExp - global::System.Runtime.CompilerServices.Unsafe.Add(ref z, k));");
                        w.Line("return loss;");
                        break;
                    case LossKind.LogLoss:
                        w.Line("float loss = 0f;");
                        Refs.Over(w, "k", o, at => w.Line($"loss += global::CompiledNet.CompilerServices.Kernels.LogLossFromLogit({at("z")}, {at("t")});"));
                        w.Line("return loss;");
                        break;
                    default:
                        w.Line("float loss = 0f;");
                        Refs.Over(w, "k", o, at =>
                        {
                            w.Line($"float e = {at("a")} - {at("t")};");
                            w.Line("loss += e * e;");
                        });
                        w.Line("return loss;");
                        break;
                }
            }
            w.Line();
        }

        public static void EmitLossAndDelta(IndentedWriter w, NetworkPlan plan)
        {
            var spec = plan.Spec;
            int n = spec.Layers.Count, o = spec.OutputSize;
            var output = spec.Layers[n - 1];
            string gradient = spec.Loss switch
            {
                LossKind.SoftmaxCrossEntropy => "∂L/∂z = (softmax(z) − t) / count: the softmax Jacobian and the log cancel",
                LossKind.LogLoss => "∂L/∂z = (σ(z) − t) / count: σ′ and the log-loss denominator cancel",
                _ => $"∂L/∂a = 2(a − t) / count, times the {output.Activation} derivative",
            };
            w.Line($"/// <summary>Output loss over rows [start, start + count) of a batch of total rows (returns the loss sum / total) and its gradient into {plan.Output.Deltas}: {gradient}.</summary>");
            using (w.Member("private float LossAndDelta(int start, int count, int total)"))
            {
                w.Line("float invCount = 1f / total;");
                w.Line("float sum = 0f;");
                w.Line($"nuint first = (nuint)start * {Int(o)};");
                w.Line($"ref float z = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {plan.Output.Logits}.Data, first);");
                w.Line($"ref float a = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {plan.Output.Activations}.Data, first);");
                w.Line("ref float t = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref _targets.Data, first);");
                w.Line($"ref float d = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {plan.Output.Deltas}.Data, first);");
                using (w.Open("for (nuint row = 0; row < (nuint)count; row++)"))
                {
                    foreach (var name in new[] { "z", "a", "t", "d" })
                        w.Line($"ref float {name}r = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {name}, row * {Int(o)});");
                    w.Line("sum += ExampleLoss(ref zr, ref ar, ref tr);");
                    if (spec.Loss != LossKind.Quadratic)
                    {
                        Refs.Over(w, "k", o, at => w.Line($"{at("dr")} = ({at("ar")} - {at("tr")}) * invCount;"));
                    }
                    else if (output.Activation == ActivationKind.Softmax)
                    {
                        w.Line("// through the softmax Jacobian: δ_j = a_j (g_j − Σ_k a_k g_k)");
                        w.Line("float dot = 0f;");
                        using (w.Open($"for (nuint k = 0; k < {Int(o)}; k++)"))
                        {
                            w.Line("float gk = 2f * (global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, k) - global::System.Runtime.CompilerServices.Unsafe.Add(ref tr, k)) * invCount;");
                            w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref dr, k) = gk;");
                            w.Line("dot += global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, k) * gk;");
                        }
                        using (w.Open($"for (nuint k = 0; k < {Int(o)}; k++)"))
                            w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref dr, k) = global::System.Runtime.CompilerServices.Unsafe.Add(ref ar, k) * (global::System.Runtime.CompilerServices.Unsafe.Add(ref dr, k) - dot);");
                    }
                    else
                    {
                        string derivative = output.Activation switch
                        {
                            ActivationKind.Sigmoid => " * ak * (1f - ak)",
                            ActivationKind.Tanh => " * (1f - ak * ak)",
                            ActivationKind.ReLU => " * (ak > 0f ? 1f : 0f)",
                            ActivationKind.Linear => "",
                            _ => throw new InvalidOperationException(output.Activation.ToString()),
                        };
                        Refs.Over(w, "k", o, at =>
                        {
                            w.Line($"float ak = {at("ar")};");
                            w.Line($"{at("dr")} = 2f * (ak - {at("tr")}) * invCount{derivative};");
                        });
                    }
                }
                w.Line("return sum * invCount;");
            }
            w.Line();
        }
    }
}
