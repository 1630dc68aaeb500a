using System.Globalization;
using CompiledNet.Generator.Model;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Where every parameter segment sits in the flat buffer: layer by layer, weights then biases.
    /// Weights are row-major [input][unit]: W[i, o] is at WeightOffset + i·Units + o, so one input's weights to
    /// consecutive units are contiguous (the forward kernel broadcasts an input and streams a row of W).
    /// </summary>
    internal sealed class Layout
    {
        public Layout(NetworkSpec spec)
        {
            int n = spec.Layers.Count;
            WeightOffset = new int[n];
            BiasOffset = new int[n];
            int offset = 0;
            for (int l = 0; l < n; l++)
            {
                var layer = spec.Layers[l];
                WeightOffset[l] = offset;
                offset += layer.Inputs * layer.Units;
                BiasOffset[l] = offset;
                offset += layer.Units;
            }
            ParameterCount = offset;
        }

        public int[] WeightOffset { get; }

        public int[] BiasOffset { get; }

        public int ParameterCount { get; }

        public static string F(float value)
        {
            string s = value.ToString("R", CultureInfo.InvariantCulture);
            return s + "f";
        }

        public static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
