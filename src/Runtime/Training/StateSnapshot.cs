using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace CompiledNet
{
    /// <summary>An in-memory copy of a network's trainable state, for rolling back an epoch and for early stopping's best epoch.</summary>
    internal sealed class StateSnapshot
    {
        private readonly ITrainable _net;
        private readonly float[] _parameters, _state, _statistics;
        private long _step;
        private RngState? _masks;

        public StateSnapshot(ITrainable net)
        {
            _net = net;
            _parameters = new float[net.Parameters.Length];
            _state = new float[net.OptimizerState.Length];
            _statistics = new float[(net as ICompiledNetwork)?.BatchNormStatistics.Length ?? 0];
        }

        /// <summary>The learning rate when the state was captured.</summary>
        public float LearningRate { get; private set; }

        public void Capture()
        {
            _net.Parameters.CopyTo(_parameters);
            _net.OptimizerState.CopyTo(_state);
            _step = _net.Step;
            LearningRate = _net.LearningRate;
            if (_net is ICompiledNetwork c)
            {
                c.BatchNormStatistics.CopyTo(_statistics);
                _masks = c.MaskGeneratorState;
            }
        }

        public void Restore()
        {
            _parameters.CopyTo(_net.Parameters);
            _state.CopyTo(_net.OptimizerState);
            if (_net is ICompiledNetwork c)
            {
                _statistics.CopyTo(c.BatchNormStatistics);
                c.RestoreStep(_step);
                if (_masks is not null) c.MaskGeneratorState = _masks;
            }
        }

        public NetworkState Export() => new((float[])_parameters.Clone(), (float[])_state.Clone(), (float[])_statistics.Clone(), _step, _masks);

        public void Import(NetworkState state)
        {
            state.Parameters.CopyTo(_parameters, 0);
            state.OptimizerState.CopyTo(_state, 0);
            state.Statistics.CopyTo(_statistics, 0);
            _step = state.Step;
            _masks = state.Masks;
        }
    }
}
