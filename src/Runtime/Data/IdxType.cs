using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    /// <summary>Element type of an IDX file (the third byte of its magic number).</summary>
    public enum IdxType : byte
    {
        UnsignedByte = 0x08,
        SignedByte = 0x09,
        Int16 = 0x0B,
        Int32 = 0x0C,
        Single = 0x0D,
        Double = 0x0E,
    }
}
