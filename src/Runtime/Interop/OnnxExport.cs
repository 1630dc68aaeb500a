using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// Writes a trained network as an ONNX model (IR version 8, opset 13) for inference elsewhere: input "input"
    /// [batch, InputSize], output "output" [batch, OutputSize]. A dense layer is Gemm (MatMul without bias), a
    /// batch-normalised one MatMul + BatchNormalization with the population statistics, then Relu, Sigmoid, Tanh or
    /// Softmax(axis 1); maxout is Reshape [batch, units, k] + ReduceMax(axis 2). Dropout is a training-time operation
    /// and is not exported (inverted dropout needs no scaling at inference). A convolutional network's input rows are
    /// reshaped to [batch, channels, height, width] and pass through Conv (a batch-normalised one followed by a per-channel
    /// BatchNormalization with the population statistics; then Relu, Sigmoid or Tanh), MaxPool and
    /// AveragePool nodes, then Flatten (axis 1) before the first dense layer. When <see cref="OnnxMetadata.Standardizer"/>
    /// is given, the graph starts with Sub (its mean) and Mul (1/σ per feature, 1 for a constant feature), so the model
    /// takes the features as they were before standardisation.
    /// </summary>
    /// <remarks>
    /// The protobuf is written by hand, so the package keeps no dependency: writing ONNX through a library would pull
    /// in the whole protobuf runtime and a generated schema, and the handful of messages needed is small. A test loads every exported model in
    /// ONNX Runtime and compares its outputs with <see cref="INetwork.Predict"/>.
    /// </remarks>
    public static class OnnxExport
    {
        /// <summary>The ONNX operator set version the model declares.</summary>
        public const int Opset = 13;

        /// <summary>Writes <paramref name="net"/> to <paramref name="path"/> as an ONNX model.</summary>
        /// <param name="net">The trained network.</param>
        /// <param name="path">The file to write.</param>
        /// <param name="metadata">What a consumer needs to use the model (class names, input shape and scaling, the standardizer), written as the model's metadata properties; a standardizer also goes into the graph. Optional.</param>
        public static void Save(ICompiledNetwork net, string path, OnnxMetadata? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(net);
            var properties = MetadataProperties(net, metadata);
            using var file = File.Create(path);
            Write(net, file, properties, metadata?.Standardizer);
        }

        /// <summary>Writes <paramref name="net"/> to <paramref name="stream"/> as an ONNX model; see <see cref="Save"/>.</summary>
        public static void Write(ICompiledNetwork net, Stream stream, OnnxMetadata? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(net);
            Write(net, stream, MetadataProperties(net, metadata), metadata?.Standardizer);
        }

        /// <summary>
        /// The model's metadata_props: always the architecture text and fingerprint of the network (keys
        /// <c>compilednet.architecture</c>, <c>compilednet.fingerprint</c>), then what <paramref name="metadata"/> gives:
        /// <c>class_names</c> and <c>input_shape</c> as JSON arrays, <c>input_scale</c> as a number,
        /// <c>standardizer_mean</c> and <c>standardizer_std</c> as JSON arrays (applied inside the graph already), and
        /// any extra pairs.
        /// </summary>
        private static List<KeyValuePair<string, string>> MetadataProperties(ICompiledNetwork net, OnnxMetadata? metadata)
        {
            var properties = new List<KeyValuePair<string, string>>
            {
                new("compilednet.architecture", net.Architecture),
                new("compilednet.fingerprint", "0x" + net.Fingerprint.ToString("X16", CultureInfo.InvariantCulture)),
            };
            if (metadata is null) return properties;
            if (metadata.ClassNames is { } names)
            {
                int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
                if (names.Count != classes)
                    throw new ArgumentException($"ClassNames has {names.Count} names; this network has {classes} classes ({net.OutputSize} output{(net.OutputSize == 1 ? ", read as two classes" : "s")}).", nameof(metadata));
                properties.Add(new("class_names", JsonSerializerArray(names)));
            }
            if (metadata.InputShape is { } shape)
            {
                long product = 1;
                foreach (int d in shape)
                {
                    if (d < 1) throw new ArgumentException($"InputShape [{string.Join(", ", shape)}] has a dimension below 1.", nameof(metadata));
                    product *= d;
                }
                if (product != net.InputSize)
                    throw new ArgumentException($"InputShape [{string.Join(", ", shape)}] holds {product} values; the network takes {net.InputSize} inputs.", nameof(metadata));
                properties.Add(new("input_shape", "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]"));
            }
            if (metadata.InputScale is float scale)
            {
                if (!float.IsFinite(scale) || scale == 0f) throw new ArgumentException($"InputScale {scale.ToString("R", CultureInfo.InvariantCulture)} must be finite and non-zero.", nameof(metadata));
                properties.Add(new("input_scale", scale.ToString("R", CultureInfo.InvariantCulture)));
            }
            if (metadata.Standardizer is { } standardizer)
            {
                if (standardizer.FeatureSize != net.InputSize)
                    throw new ArgumentException($"The standardizer has {standardizer.FeatureSize} features; the network takes {net.InputSize} inputs.", nameof(metadata));
                properties.Add(new("standardizer_mean", JsonNumberArray(standardizer.Mean)));
                properties.Add(new("standardizer_std", JsonNumberArray(standardizer.StandardDeviation)));
            }
            if (metadata.Properties is { } extra)
                foreach (var pair in extra)
                {
                    if (properties.Exists(p => p.Key == pair.Key)) throw new ArgumentException($"Metadata key \"{pair.Key}\" is given twice.", nameof(metadata));
                    properties.Add(pair);
                }
            return properties;
        }

        /// <summary>Floats as a JSON array, each in its shortest round-trip form.</summary>
        private static string JsonNumberArray(ReadOnlySpan<float> values)
        {
            var text = new StringBuilder("[");
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) text.Append(", ");
                text.Append(values[i].ToString("R", CultureInfo.InvariantCulture));
            }
            return text.Append(']').ToString();
        }

        private static string JsonSerializerArray(IReadOnlyList<string> values)
        {
            using var buffer = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                foreach (var v in values) writer.WriteStringValue(v);
                writer.WriteEndArray();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>The package version without build metadata, e.g. "0.1.0" (the assembly version would say 0.1.0.0).</summary>
        internal static string ProducerVersion()
        {
            var assembly = typeof(OnnxExport).Assembly;
            string? informational = ((System.Reflection.AssemblyInformationalVersionAttribute?)Attribute.GetCustomAttribute(assembly, typeof(System.Reflection.AssemblyInformationalVersionAttribute)))?.InformationalVersion;
            if (string.IsNullOrEmpty(informational)) return assembly.GetName().Version?.ToString() ?? "";
            int plus = informational.IndexOf('+');
            return plus >= 0 ? informational.Substring(0, plus) : informational;
        }

        private static void Write(ICompiledNetwork net, Stream stream, List<KeyValuePair<string, string>> properties, Standardizer? standardizer)
        {
            var graph = new ProtoMessage();
            var nodes = new List<ProtoMessage>();
            var initializers = new List<ProtoMessage>();
            var parameters = net.Parameters;
            var statistics = net.BatchNormStatistics;
            string current = "input";
            if (standardizer is not null)
            {
                // (x − mean) · scale with the very floats Standardizer.Apply uses, so both round alike.
                initializers.Add(Tensor("standardizer.mean", new long[] { net.InputSize }, standardizer.Mean));
                initializers.Add(Tensor("standardizer.scale", new long[] { net.InputSize }, standardizer.Scale));
                nodes.Add(Node("Sub", "standardizer.sub", new[] { current, "standardizer.mean" }, "standardizer.centred"));
                nodes.Add(Node("Mul", "standardizer.mul", new[] { "standardizer.centred", "standardizer.scale" }, "standardized"));
                current = "standardized";
            }
            if (net is IConvolutional convolutional && convolutional.FeatureLayers.Count > 0)
                current = FeatureNodes(convolutional, parameters, statistics, nodes, initializers, current);
            for (int l = 0; l < net.Layers.Count; l++)
            {
                var layer = net.Layers[l];
                string p = $"layer{l + 1}";
                initializers.Add(Tensor($"{p}.weight", new long[] { layer.Inputs, layer.Width }, parameters.Slice(layer.WeightOffset, layer.Inputs * layer.Width)));
                string linear = $"{p}.linear";
                if (layer.Bias)
                {
                    initializers.Add(Tensor($"{p}.bias", new long[] { layer.Width }, parameters.Slice(layer.BiasOffset!.Value, layer.Width)));
                    nodes.Add(Node("Gemm", $"{p}.gemm", new[] { current, $"{p}.weight", $"{p}.bias" }, linear));
                }
                else
                    nodes.Add(Node("MatMul", $"{p}.matmul", new[] { current, $"{p}.weight" }, linear));
                current = linear;
                if (layer.BatchNorm)
                {
                    initializers.Add(Tensor($"{p}.gamma", new long[] { layer.Units }, parameters.Slice(layer.GammaOffset!.Value, layer.Units)));
                    initializers.Add(Tensor($"{p}.beta", new long[] { layer.Units }, parameters.Slice(layer.BetaOffset!.Value, layer.Units)));
                    initializers.Add(Tensor($"{p}.mean", new long[] { layer.Units }, statistics.Slice(layer.StatisticsOffset!.Value, layer.Units)));
                    initializers.Add(Tensor($"{p}.variance", new long[] { layer.Units }, statistics.Slice(layer.StatisticsOffset!.Value + layer.Units, layer.Units)));
                    var bn = Node("BatchNormalization", $"{p}.batchnorm", new[] { current, $"{p}.gamma", $"{p}.beta", $"{p}.mean", $"{p}.variance" }, $"{p}.normalised");
                    bn.Message(5, FloatAttribute("epsilon", 1e-5f));
                    nodes.Add(bn);
                    current = $"{p}.normalised";
                }
                bool last = l == net.Layers.Count - 1;
                string output = last ? "output" : $"{p}.output";
                switch (layer.Activation)
                {
                    case Activation.ReLU: nodes.Add(Node("Relu", $"{p}.relu", new[] { current }, output)); break;
                    case Activation.Sigmoid: nodes.Add(Node("Sigmoid", $"{p}.sigmoid", new[] { current }, output)); break;
                    case Activation.Tanh: nodes.Add(Node("Tanh", $"{p}.tanh", new[] { current }, output)); break;
                    case Activation.Softmax:
                        var softmax = Node("Softmax", $"{p}.softmax", new[] { current }, output);
                        softmax.Message(5, IntAttribute("axis", 1));
                        nodes.Add(softmax);
                        break;
                    case Activation.Maxout:
                        initializers.Add(Int64Tensor($"{p}.shape", new long[] { -1, layer.Units, layer.Pieces }));
                        nodes.Add(Node("Reshape", $"{p}.reshape", new[] { current, $"{p}.shape" }, $"{p}.pieces"));
                        var max = Node("ReduceMax", $"{p}.maxout", new[] { $"{p}.pieces" }, output);
                        max.Message(5, IntsAttribute("axes", new long[] { 2 }));
                        max.Message(5, IntAttribute("keepdims", 0));
                        nodes.Add(max);
                        break;
                    default:
                        nodes.Add(Node("Identity", $"{p}.linear-output", new[] { current }, output));
                        break;
                }
                current = output;
            }
            foreach (var node in nodes) graph.Message(1, node);
            graph.String(2, "CompiledNet");
            foreach (var tensor in initializers) graph.Message(5, tensor);
            graph.Message(11, ValueInfo("input", net.InputSize));
            graph.Message(12, ValueInfo("output", net.OutputSize));

            var model = new ProtoMessage();
            model.Varint(1, 8); // IR version 8
            model.String(2, "CompiledNet");
            model.String(3, ProducerVersion());
            model.Message(7, graph);
            var opset = new ProtoMessage();
            opset.String(1, "");
            opset.Varint(2, Opset);
            model.Message(8, opset);
            foreach (var pair in properties)
            {
                var entry = new ProtoMessage();
                entry.String(1, pair.Key);
                entry.String(2, pair.Value);
                model.Message(14, entry);
            }
            model.WriteTo(stream);
        }

        /// <summary>
        /// The image part of a convolutional network: Reshape of the input rows to [batch, C, H, W], each layer as Conv
        /// (weights [out, in, kH, kW], pads top, left, bottom, right) with its activation, MaxPool or AveragePool, then
        /// Flatten (axis 1, channel by channel) for the first dense layer. Returns the name of the flattened tensor.
        /// </summary>
        private static string FeatureNodes(IConvolutional net, ReadOnlySpan<float> parameters, ReadOnlySpan<float> statistics, List<ProtoMessage> nodes, List<ProtoMessage> initializers, string input)
        {
            var first = net.FeatureLayers[0];
            initializers.Add(Int64Tensor("image.shape", new long[] { -1, first.InputChannels, first.InputHeight, first.InputWidth }));
            nodes.Add(Node("Reshape", "image.reshape", new[] { input, "image.shape" }, "image"));
            string current = "image";
            for (int k = 0; k < net.FeatureLayers.Count; k++)
            {
                var f = net.FeatureLayers[k];
                string p = f.Kind == FeatureLayerKind.Conv2D ? $"conv{k + 1}" : $"pool{k + 1}";
                string output = $"{p}.output";
                var kernel = IntsAttribute("kernel_shape", new long[] { f.KernelHeight, f.KernelWidth });
                var strides = IntsAttribute("strides", new long[] { f.Stride, f.Stride });
                switch (f.Kind)
                {
                    case FeatureLayerKind.Conv2D:
                        initializers.Add(Tensor($"{p}.weight", new long[] { f.OutputChannels, f.InputChannels, f.KernelHeight, f.KernelWidth }, parameters.Slice(f.WeightOffset!.Value, f.WeightCount)));
                        var inputs = new List<string> { current, $"{p}.weight" };
                        if (f.BiasOffset is int biasOffset)
                        {
                            initializers.Add(Tensor($"{p}.bias", new long[] { f.OutputChannels }, parameters.Slice(biasOffset, f.OutputChannels)));
                            inputs.Add($"{p}.bias");
                        }
                        string linear = f.Activation == Activation.Linear ? output : $"{p}.linear";
                        bool normalised = f.GammaOffset is not null;
                        var conv = Node("Conv", $"{p}.conv", inputs.ToArray(), normalised ? $"{p}.z" : linear);
                        conv.Message(5, kernel);
                        conv.Message(5, strides);
                        conv.Message(5, IntsAttribute("pads", new long[] { f.PadHeight, f.PadWidth, f.PadHeight, f.PadWidth }));
                        nodes.Add(conv);
                        if (normalised)
                        {
                            // per-channel batch norm with the population statistics: BatchNormalization normalises axis 1 of [N, C, H, W]
                            long[] channels = { f.OutputChannels };
                            initializers.Add(Tensor($"{p}.gamma", channels, parameters.Slice(f.GammaOffset!.Value, f.OutputChannels)));
                            initializers.Add(Tensor($"{p}.beta", channels, parameters.Slice(f.BetaOffset!.Value, f.OutputChannels)));
                            initializers.Add(Tensor($"{p}.mean", channels, statistics.Slice(f.StatisticsOffset!.Value, f.OutputChannels)));
                            initializers.Add(Tensor($"{p}.variance", channels, statistics.Slice(f.StatisticsOffset!.Value + f.OutputChannels, f.OutputChannels)));
                            var bn = Node("BatchNormalization", $"{p}.batchnorm", new[] { $"{p}.z", $"{p}.gamma", $"{p}.beta", $"{p}.mean", $"{p}.variance" }, linear);
                            bn.Message(5, FloatAttribute("epsilon", 1e-5f));
                            nodes.Add(bn);
                        }
                        string? op = f.Activation switch
                        {
                            Activation.ReLU => "Relu",
                            Activation.Sigmoid => "Sigmoid",
                            Activation.Tanh => "Tanh",
                            Activation.Linear => null,
                            _ => throw new NotSupportedException($"Activation {f.Activation} on a convolution has no ONNX export."),
                        };
                        if (op != null) nodes.Add(Node(op, $"{p}.{op.ToLowerInvariant()}", new[] { linear }, output));
                        break;
                    default:
                        var pool = Node(f.Kind == FeatureLayerKind.MaxPool ? "MaxPool" : "AveragePool", $"{p}.pool", new[] { current }, output);
                        pool.Message(5, kernel);
                        pool.Message(5, strides);
                        nodes.Add(pool);
                        break;
                }
                current = output;
            }
            var flatten = Node("Flatten", "features.flatten", new[] { current }, "features");
            flatten.Message(5, IntAttribute("axis", 1));
            nodes.Add(flatten);
            return "features";
        }

        private static ProtoMessage Node(string op, string name, string[] inputs, string output)
        {
            var node = new ProtoMessage();
            foreach (var input in inputs) node.String(1, input);
            node.String(2, output);
            node.String(3, name);
            node.String(4, op);
            return node;
        }

        private static ProtoMessage Tensor(string name, long[] dims, ReadOnlySpan<float> values)
        {
            var tensor = new ProtoMessage();
            foreach (long d in dims) tensor.Varint(1, d);
            tensor.Varint(2, 1); // FLOAT
            tensor.String(8, name);
            var raw = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(4 * i), values[i]);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
            tensor.Bytes(9, raw);
            return tensor;
        }

        private static ProtoMessage Int64Tensor(string name, long[] values)
        {
            var tensor = new ProtoMessage();
            tensor.Varint(1, values.Length);
            tensor.Varint(2, 7); // INT64
            tensor.String(8, name);
            var raw = new byte[values.Length * 8];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(8 * i), values[i]);
            tensor.Bytes(9, raw);
            return tensor;
        }

        private static ProtoMessage ValueInfo(string name, int features)
        {
            var batch = new ProtoMessage();
            batch.String(2, "batch");
            var size = new ProtoMessage();
            size.Varint(1, features);
            var shape = new ProtoMessage();
            shape.Message(1, batch);
            shape.Message(1, size);
            var tensorType = new ProtoMessage();
            tensorType.Varint(1, 1); // FLOAT
            tensorType.Message(2, shape);
            var type = new ProtoMessage();
            type.Message(1, tensorType);
            var info = new ProtoMessage();
            info.String(1, name);
            info.Message(2, type);
            return info;
        }

        private static ProtoMessage FloatAttribute(string name, float value)
        {
            var a = new ProtoMessage();
            a.String(1, name);
            a.Fixed32(2, BitConverter.SingleToUInt32Bits(value));
            a.Varint(20, 1); // FLOAT
            return a;
        }

        private static ProtoMessage IntAttribute(string name, long value)
        {
            var a = new ProtoMessage();
            a.String(1, name);
            a.Varint(3, value);
            a.Varint(20, 2); // INT
            return a;
        }

        private static ProtoMessage IntsAttribute(string name, long[] values)
        {
            var a = new ProtoMessage();
            a.String(1, name);
            foreach (long v in values) a.Varint(8, v);
            a.Varint(20, 7); // INTS
            return a;
        }

        /// <summary>A protobuf message being built: fields in the order written.</summary>
        private sealed class ProtoMessage
        {
            private readonly MemoryStream _bytes = new();

            private void Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

            private void Raw(ulong value)
            {
                while (value >= 0x80) { _bytes.WriteByte((byte)(value | 0x80)); value >>= 7; }
                _bytes.WriteByte((byte)value);
            }

            public void Varint(int field, long value) { Tag(field, 0); Raw((ulong)value); }

            public void Fixed32(int field, uint value)
            {
                Tag(field, 5);
                Span<byte> b = stackalloc byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(b, value);
                _bytes.Write(b);
            }

            public void Bytes(int field, ReadOnlySpan<byte> value) { Tag(field, 2); Raw((ulong)value.Length); _bytes.Write(value); }

            public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

            public void Message(int field, ProtoMessage value) => Bytes(field, value._bytes.ToArray());

            public void WriteTo(Stream stream) => _bytes.WriteTo(stream);
        }
    }
}
