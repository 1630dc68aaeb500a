using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CompiledNet;

namespace Serve;

/// <summary>
/// A network this service can serve: the dense <see cref="FashionNet"/> (samples/FashionMnist) or the convolutional
/// <see cref="FashionCnn"/> (samples/FashionMnistCnn). Both take a 28×28 image as 784 values and give 10 class
/// probabilities, which is what the endpoints promise; the rest of the service sees only <see cref="ICompiledNetwork"/>.
/// </summary>
/// <param name="Name">The declaration's class name, e.g. "FashionCnn".</param>
/// <param name="Fingerprint">The declaration's fingerprint: the identity a checkpoint records and is matched by.</param>
/// <param name="Architecture">The declaration in words.</param>
/// <param name="Create">A new instance with the given seed.</param>
public sealed record ServedNetwork(string Name, ulong Fingerprint, string Architecture, Func<long, ICompiledNetwork> Create)
{
    /// <summary>Inputs of one request: a 28×28 image, row by row.</summary>
    public const int InputSize = 28 * 28;

    /// <summary>Outputs: one probability per Fashion-MNIST class.</summary>
    public const int Classes = 10;

    /// <summary>The networks the service serves.</summary>
    public static IReadOnlyList<ServedNetwork> Known { get; } = new ServedNetwork[]
    {
        new(nameof(FashionNet), FashionNet.Fingerprint, FashionNet.Architecture, seed => new FashionNet(seed)),
        new(nameof(FashionCnn), FashionCnn.Fingerprint, FashionCnn.Architecture, seed => new FashionCnn(seed)),
    };

    /// <summary>The served network whose declaration <paramref name="net"/> is, or null for any other network.</summary>
    public static ServedNetwork? Of(ICompiledNetwork net)
    {
        ArgumentNullException.ThrowIfNull(net);
        return Known.FirstOrDefault(k => k.Fingerprint == net.Fingerprint);
    }

    /// <summary>
    /// Which network wrote the checkpoint at <paramref name="path"/>, from its header (the file's checksum is verified
    /// too). Throws <see cref="InvalidDataException"/> naming the file for a file that is not a valid checkpoint, and
    /// for a checkpoint of any other network, with the architecture it holds and the ones this service serves.
    /// </summary>
    public static ServedNetwork Identify(string path)
    {
        var info = Checkpoint.ReadInfo(path);
        return Known.FirstOrDefault(k => k.Fingerprint == info.Fingerprint)
            ?? throw new InvalidDataException(
                $"{path}: the checkpoint is of a network this service does not serve. It holds \"{info.Architecture}\" (fingerprint {info.Fingerprint:X16}); "
                + "the service serves " + string.Join(" or ", Known.Select(k => $"{k.Name} \"{k.Architecture}\" (fingerprint {k.Fingerprint:X16})")) + ".");
    }

    /// <summary>Loads the checkpoint at <paramref name="path"/> into a new instance of the network that wrote it.</summary>
    public static ICompiledNetwork Load(string path)
    {
        var net = Identify(path).Create(1);
        // Checks the fingerprint again: a file replaced since it was identified is refused, not mixed up.
        Checkpoint.Load(net, path);
        return net;
    }
}
