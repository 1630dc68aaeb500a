namespace CompiledNet.Generator { class Tmp { } }
