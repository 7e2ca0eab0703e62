namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>Owns one <c>ZSTD_DCtx</c> per thread; the finalizer frees it once the thread (and its reference) is gone.</summary>
internal sealed class DCtxHolder
{
    /// <summary>Creates the context.</summary>
    internal DCtxHolder()
    {
        Handle = ZstdNative.CreateDCtx();
        if (Handle == IntPtr.Zero)
        {
            throw new OutOfMemoryException("ZSTD_createDCtx failed");
        }
    }

    /// <summary>Frees the context.</summary>
    ~DCtxHolder()
    {
        ZstdNative.FreeDCtx(Handle);
    }

    /// <summary>The native context.</summary>
    internal IntPtr Handle { get; }
}

/// <summary>Owns one <c>ZSTD_CCtx</c> per thread; the finalizer frees it once the thread (and its reference) is gone.</summary>
internal sealed class CCtxHolder
{
    /// <summary>Creates the context.</summary>
    internal CCtxHolder()
    {
        Handle = ZstdNative.CreateCCtx();
        if (Handle == IntPtr.Zero)
        {
            throw new OutOfMemoryException("ZSTD_createCCtx failed");
        }
    }

    /// <summary>Frees the context.</summary>
    ~CCtxHolder()
    {
        ZstdNative.FreeCCtx(Handle);
    }

    /// <summary>The native context.</summary>
    internal IntPtr Handle { get; }
}
