using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>Checkpoint files: headers checked before the body is read, old versions, temporary files, concurrent saves.</summary>
public sealed class CheckpointReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-ckptrel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void AHugeFileThatIsNotACheckpointIsRefusedWithoutReadingIt()
    {
        string path = PathOf("huge.bin");
        using (var file = File.Create(path)) file.SetLength(3L << 30); // 3 GB, sparse: nothing is written
        Checkpoint.Save(new SpiralNet(1), PathOf("warmup.ckpt"));
        Checkpoint.Load(new SpiralNet(2), PathOf("warmup.ckpt"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new SpiralNet(), path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("not a CompiledNet checkpoint", ex.Message);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void AHeaderDescribingMoreThanTheFileHoldsIsRefusedBeforeTheBodyIsRead()
    {
        string path = PathOf("big.ckpt");
        Checkpoint.Save(new SpiralNet(1), path);
        var bytes = File.ReadAllBytes(path);
        using (var file = new FileStream(path, FileMode.Open)) file.SetLength(3L << 30); // the same header, 3 GB long
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new SpiralNet(), path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains($"unexpected bytes after the {bytes.Length} its header describes", ex.Message);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void LoadRestoresTheLearningRate()
    {
        string path = PathOf("rate.ckpt");
        Checkpoint.Save(new SpiralNet(1) { LearningRate = 0.0123f }, path);
        var net = new SpiralNet(2);
        var info = Checkpoint.Load(net, path);
        Assert.Equal(0.0123f, net.LearningRate);
        Assert.Equal(0.0123f, info.LearningRate);
        Assert.Equal(3, info.FormatVersion);
    }

    /// <summary>A version-1 file, written by hand from that format's layout (no learning rate, no loop state).</summary>
    private static byte[] VersionOne(SingleSigmoidNet net, int epoch, bool shuffle)
    {
        var architecture = Encoding.UTF8.GetBytes(SingleSigmoidNet.Architecture);
        var stream = new MemoryStream();
        var w = new BinaryWriter(stream);
        w.Write("CNETCKPT"u8);
        w.Write(1);
        w.Write(SingleSigmoidNet.Fingerprint);
        w.Write(architecture.Length);
        w.Write(architecture);
        w.Write(net.Step);
        w.Write(epoch);
        w.Write((byte)0); w.Write(new byte[21]);                                      // no mask generator
        w.Write((byte)(shuffle ? 1 : 0)); w.Write(1u); w.Write(2u); w.Write(3u); w.Write(4u); w.Write(0f); w.Write((byte)0);
        w.Write(net.Parameters.Length); w.Write(0); w.Write(0);
        foreach (float p in net.Parameters) w.Write(p);
        w.Flush();
        ulong hash = 14695981039346656037UL;
        foreach (byte b in stream.ToArray()) { hash ^= b; hash *= 1099511628211UL; }
        w.Write(hash);
        w.Flush();
        return stream.ToArray();
    }

    [Fact]
    public void AVersionOneFileStillLoadsButCannotResumeARun()
    {
        var source = new SingleSigmoidNet(4);
        string path = PathOf("v1.ckpt");
        File.WriteAllBytes(path, VersionOne(source, epoch: 2, shuffle: true));
        var net = new SingleSigmoidNet(5) { LearningRate = 0.7f };
        var info = Checkpoint.Load(net, path);
        Assert.Equal(1, info.FormatVersion);
        Assert.Null(info.LearningRate);
        Assert.Equal(source.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(0.7f, net.LearningRate);

        var fresh = new SingleSigmoidNet(6);
        var before = fresh.Parameters.ToArray();
        var data = new Dataset(new[] { 1f, 2f }, 1, new[] { 0, 1 }, 2);
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Resume(fresh, data, new TrainingOptions { Epochs = 3 }, path));
        Assert.Contains("format version 1, which does not record the learning rate", ex.Message);
        Assert.Equal(before, fresh.Parameters.ToArray());
    }

    [Fact]
    public void ASaveDeletesTemporaryFilesThatCrashedProcessesLeft()
    {
        string path = PathOf("net.ckpt");
        int alive = Environment.ProcessId == 1 ? 2 : 1; // pid 1 runs as long as the system does
        string[] stale = { path + ".tmp-2147483647-7", path + ".tmp-2147483646", path + $".tmp-{Environment.ProcessId}-99" };
        string live = path + $".tmp-{alive}-3";
        foreach (var f in stale.Append(live)) File.WriteAllBytes(f, new byte[] { 1, 2, 3 });
        Checkpoint.Save(new SpiralNet(1), path);
        Assert.All(stale, f => Assert.False(File.Exists(f), f));
        Assert.True(File.Exists(live)); // another running process may be writing it
        Assert.Equal(SpiralNet.Fingerprint, Checkpoint.ReadInfo(path).Fingerprint);
    }

    [Fact]
    public async Task ConcurrentSavesToOnePathAllCompleteAndLeaveOneValidFile()
    {
        string path = PathOf("shared.ckpt");
        var a = new SpiralNet(1);
        var b = new SpiralNet(2);
        var tasks = new[] { a, b }.Select(net => Task.Run(() => { for (int i = 0; i < 25; i++) Checkpoint.Save(net, path); })).ToArray();
        await Task.WhenAll(tasks);
        var loaded = new SpiralNet(3);
        Checkpoint.Load(loaded, path);
        var parameters = loaded.Parameters.ToArray();
        Assert.True(parameters.SequenceEqual(a.Parameters.ToArray()) || parameters.SequenceEqual(b.Parameters.ToArray()));
        Assert.Equal(new[] { "shared.ckpt" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
