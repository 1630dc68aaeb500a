namespace CompiledNet
{
    /// <summary>Values of <see cref="Conv2DAttribute.Padding"/> with a meaning of their own.</summary>
    public static class Padding
    {
        /// <summary>(kernel − 1)/2 zero rows and columns on each side (odd kernels only): with stride 1 the output keeps the input's height and width.</summary>
        public const int Same = -1;
    }
}
