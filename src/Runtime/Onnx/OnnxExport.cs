using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// Writes a trained network as an ONNX model (IR version 8, opset 13) for inference elsewhere: input "input"
    /// [batch, InputSize], output "output" [batch, OutputSize]. A dense layer is Gemm (MatMul without bias), a
    /// batch-normalised one MatMul + BatchNormalization with the population statistics, then Relu, Sigmoid, Tanh or
    /// Softmax(axis 1); maxout is Reshape [batch, units, k] + ReduceMax(axis 2). Dropout is a training-time operation
    /// and is not exported (inverted dropout needs no scaling at inference).
    /// </summary>
    /// <remarks>
    /// The protobuf is written by hand: no package served here writes ONNX without pulling in the whole protobuf
    /// runtime and generated schema, and the handful of messages needed is small. A test loads every exported model in
    /// ONNX Runtime and compares its outputs with <see cref="INetwork.Predict"/>.
    /// </remarks>
    public static class OnnxExport
    {
        public const int Opset = 13;

        /// <summary>Writes <paramref name="net"/> to <paramref name="path"/> as an ONNX model.</summary>
        public static void Save(ICheckpointable net, string path)
        {
            using var file = File.Create(path);
            Write(net, file);
        }

        /// <summary>Writes <paramref name="net"/> to <paramref name="stream"/> as an ONNX model.</summary>
        public static void Write(ICheckpointable net, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(net);
            var graph = new ProtoMessage();
            var nodes = new List<ProtoMessage>();
            var initializers = new List<ProtoMessage>();
            var parameters = net.Parameters;
            var statistics = net.BatchNormStatistics;
            string current = "input";
            for (int l = 0; l < net.Layers.Count; l++)
            {
                var layer = net.Layers[l];
                string p = $"layer{l + 1}";
                initializers.Add(Tensor($"{p}.weight", new long[] { layer.Inputs, layer.Width }, parameters.Slice(layer.WeightOffset, layer.Inputs * layer.Width)));
                string linear = $"{p}.linear";
                if (layer.Bias)
                {
                    initializers.Add(Tensor($"{p}.bias", new long[] { layer.Width }, parameters.Slice(layer.BiasOffset, layer.Width)));
                    nodes.Add(Node("Gemm", $"{p}.gemm", new[] { current, $"{p}.weight", $"{p}.bias" }, linear));
                }
                else
                    nodes.Add(Node("MatMul", $"{p}.matmul", new[] { current, $"{p}.weight" }, linear));
                current = linear;
                if (layer.BatchNorm)
                {
                    initializers.Add(Tensor($"{p}.gamma", new long[] { layer.Units }, parameters.Slice(layer.GammaOffset, layer.Units)));
                    initializers.Add(Tensor($"{p}.beta", new long[] { layer.Units }, parameters.Slice(layer.BetaOffset, layer.Units)));
                    initializers.Add(Tensor($"{p}.mean", new long[] { layer.Units }, statistics.Slice(layer.StatisticsOffset, layer.Units)));
                    initializers.Add(Tensor($"{p}.variance", new long[] { layer.Units }, statistics.Slice(layer.StatisticsOffset + layer.Units, layer.Units)));
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
            model.String(3, typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "");
            model.Message(7, graph);
            var opset = new ProtoMessage();
            opset.String(1, "");
            opset.Varint(2, Opset);
            model.Message(8, opset);
            model.WriteTo(stream);
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
