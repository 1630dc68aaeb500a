using System;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class CheckpointStreamTests
{
    private static SpiralNet Trained()
    {
        var net = new SpiralNet(4) { LearningRate = 0.07f };
        var xs = Enumerable.Range(0, 32).Select(i => (float)Math.Sin(i)).ToArray();
        var labels = Enumerable.Range(0, 16).Select(i => i % 2).ToArray();
        for (int i = 0; i < 3; i++) net.TrainBatch(xs, labels);
        return net;
    }

    /// <summary>A stream that can only be read forward, like a network response body.</summary>
    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void WriteGivesTheBytesSaveWrites()
    {
        var net = Trained();
        string path = Path.Combine(Path.GetTempPath(), $"cnet-stream-{Guid.NewGuid():N}.ckpt");
        try
        {
            Checkpoint.Save(net, path);
            using var memory = new MemoryStream();
            Checkpoint.Write(net, memory);
            Assert.Equal(File.ReadAllBytes(path), memory.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFromAForwardOnlyStreamRestoresTheNetwork()
    {
        var net = Trained();
        using var memory = new MemoryStream();
        memory.WriteByte(0xAB);   // the checkpoint starts after other content: it is read from the stream's position
        Checkpoint.Write(net, memory);
        memory.Position = 1;
        var restored = new SpiralNet(9);
        var info = Checkpoint.Read(restored, new ForwardOnly(memory));
        Assert.Equal(net.Parameters.ToArray(), restored.Parameters.ToArray());
        Assert.Equal(net.Step, restored.Step);
        Assert.Equal(0.07f, restored.LearningRate);
        Assert.Equal(net.Step, info.Step);
        Assert.Null(info.Epoch);
    }

    [Fact]
    public void ATruncatedStreamIsRefusedWithItsSizesAndTheNetworkIsUnchanged()
    {
        using var memory = new MemoryStream();
        Checkpoint.Write(Trained(), memory);
        var bytes = memory.ToArray();
        var target = new SpiralNet(9);
        var before = target.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(target, new MemoryStream(bytes, 0, bytes.Length - 10)));
        Assert.Contains("the checkpoint stream", e.Message);
        Assert.Contains($"{bytes.Length - 10} bytes", e.Message);
        Assert.Contains($"{bytes.Length}", e.Message);
        Assert.Equal(before, target.Parameters.ToArray());
        Assert.Throws<InvalidDataException>(() => Checkpoint.ReadInfo(new MemoryStream(bytes, 0, bytes.Length - 10)));
    }
}
