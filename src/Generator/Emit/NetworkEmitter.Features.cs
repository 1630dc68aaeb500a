using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Part of the network class emitter: the convolution and pooling layers before the dense ones.</summary>
    internal static partial class NetworkEmitter
    {
        /// <summary>Every convolution and pooling layer's methods, input to output, and InferFeatures.</summary>
        private static void EmitFeatureLayers(IndentedWriter w, NetworkPlan plan)
        {
            foreach (var fp in plan.Features.Layers)
            {
                ConvEmitter.EmitInit(w, fp);
                ConvEmitter.EmitImageKernels(w, plan.Features, fp);
                ConvEmitter.EmitForward(w, plan.Features, fp);
                ConvEmitter.EmitBackward(w, plan.Features, fp);
                OptimizerEmitter.EmitFeatureStep(w, fp, plan.Layout, plan.Spec.Optimizer, plan.Spec.Regularization);
            }
            ConvEmitter.EmitInferFeatures(w, plan.Features);
        }

        /// <summary>One example's image <paramref name="source"/> through the convolution and pooling layers into <paramref name="name"/> (on the stack when small enough).</summary>
        private static void EmitFlatFeatures(IndentedWriter w, NetworkPlan plan, string name, string source)
        {
            int size = plan.Features.OutputSize;
            w.Line(size <= NetworkPlan.StackFloats
                ? $"global::System.Span<float> {name}Values = stackalloc float[{Int(size)}];"
                : $"global::System.Span<float> {name}Values = t_flat ??= {NewBuffer(Int(size))};");
            w.Line($"ref float {name} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({name}Values);");
            w.Line($"InferFeatures(ref {source}, ref {name});");
        }
    }
}
