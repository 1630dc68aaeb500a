using System.Collections.Generic;
using CompiledNet.Generator.Model;

namespace CompiledNet.Generator.Emit
{
    /// <summary>What an emitter of one layer works with: the layer's plan and the network's plan.</summary>
    internal sealed class LayerContext
    {
        public LayerContext(NetworkPlan network, LayerPlan layer)
        {
            Network = network;
            Layer = layer;
        }

        public NetworkPlan Network { get; }

        public LayerPlan Layer { get; }

        public Layout Layout => Network.Layout;

        public bool IsOutput => Layer.Index == Network.Layers.Count - 1;
    }

    /// <summary>
    /// Everything generated for one kind of layer. <see cref="NetworkEmitter"/> asks <see cref="LayerEmitters.For"/>
    /// for each layer's emitter and calls it where the network's state and methods are written; the network-level code
    /// (activations and deltas buffers, the loss, the optimizer step, threading) is the same for every kind. A new layer
    /// kind is a new implementation in its own file and one entry in <see cref="LayerEmitters"/>.
    /// </summary>
    internal interface ILayerEmitter
    {
        /// <summary>Whether this emitter writes <paramref name="layer"/>.</summary>
        bool Handles(LayerSpec layer);

        /// <summary>The layer's training buffers beyond its activations and deltas (which every layer has).</summary>
        void EmitFields(IndentedWriter w, LayerContext c);

        /// <summary>
        /// The layer's methods: initialisation (<see cref="LayerPlan.Init"/>), inference of one row
        /// (<see cref="LayerPlan.Infer"/>), batched inference (<see cref="LayerPlan.InferRows"/>), training forward
        /// (<see cref="LayerPlan.Forward"/>) and backward (<see cref="LayerPlan.Backward"/>), with the signatures the
        /// network's passes call them with. A method with vector code is written through <see cref="VectorMethod"/>:
        /// once per vector width, and a dispatcher under the plan's name.
        /// </summary>
        void EmitMethods(IndentedWriter w, LayerContext c);
    }

    /// <summary>The registered layer emitters: the first that handles a layer writes it.</summary>
    internal static class LayerEmitters
    {
        private static readonly IReadOnlyList<ILayerEmitter> All = new ILayerEmitter[]
        {
            DenseEmitter.Instance,
        };

        public static ILayerEmitter For(LayerSpec layer)
        {
            foreach (var emitter in All)
                if (emitter.Handles(layer)) return emitter;
            throw new System.InvalidOperationException("no emitter for layer " + Describer.Layer(layer));
        }
    }
}
