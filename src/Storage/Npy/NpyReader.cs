namespace ChunkCompute.Storage.Npy;

/// <summary>
/// Reads a NumPy <c>.npy</c> file (format 1.0, 2.0 or 3.0) and returns its elements little-endian in C order. Use
/// <see cref="ReadAll()"/> for arrays that fit in memory and <see cref="ReadElements"/> to stream C-order files of any size
/// with bounded memory.
/// </summary>
public sealed class NpyReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private long _elementsRead;
    private bool _disposed;

    /// <summary>Opens the file at <paramref name="path"/> and reads and validates its header.</summary>
    /// <exception cref="NpyFormatException">The file is not a supported, complete .npy file.</exception>
    public NpyReader(string path)
        : this(OpenFile(path), path, leaveOpen: false)
    {
    }

    /// <summary>
    /// Reads and validates the header at the current position of <paramref name="stream"/>. When the stream is seekable,
    /// also checks that it is long enough for the data the header promises.
    /// </summary>
    /// <param name="stream">A readable stream positioned at the magic bytes.</param>
    /// <param name="name">The name used in error messages (e.g. a file path); defaults to <c>&lt;stream&gt;</c>.</param>
    /// <param name="leaveOpen">When true, <see cref="Dispose"/> does not dispose <paramref name="stream"/>.</param>
    /// <exception cref="NpyFormatException">The stream does not hold a supported, complete .npy file.</exception>
    public NpyReader(Stream stream, string? name = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name ?? "<stream>";
        try
        {
            if (!stream.CanRead)
            {
                throw new ArgumentException($"{Name}: the stream is not readable", nameof(stream));
            }

            var header = NpyHeaderCodec.Read(stream, Name);
            if (stream.CanSeek)
            {
                var available = stream.Length - stream.Position;
                if (available < header.DataLength)
                {
                    throw Truncated(header, available);
                }
            }

            Header = header;
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    /// <summary>The parsed header.</summary>
    public NpyHeader Header { get; }

    /// <summary>The file path or stream name used in error messages.</summary>
    public string Name { get; }

    /// <summary>Elements returned so far by <see cref="ReadElements"/>.</summary>
    public long ElementsRead => _elementsRead;

    /// <summary>Elements not yet returned by <see cref="ReadElements"/>.</summary>
    public long ElementsRemaining => Header.ElementCount - _elementsRead;

    /// <summary>
    /// Reads the whole array into a new buffer, little-endian, in C order (big-endian data is byte-swapped, Fortran-order
    /// data is transposed). Must be called before any <see cref="ReadElements"/> call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The data is larger than a .NET array, or elements were already read.</exception>
    /// <exception cref="NpyFormatException">The file ends before the data does.</exception>
    public byte[] ReadAll()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_stream.CanSeek || _elementsRead != 0)
        {
            // The constructor checked the stream holds all the data the header promises: allocate it up front.
            if (Header.DataLength > Array.MaxLength)
            {
                throw new InvalidOperationException($"{Name}: the data ({Header.DataLength} bytes) is too large for one array; use ReadElements to stream it");
            }

            var result = GC.AllocateUninitializedArray<byte>((int)Header.DataLength);
            ReadAll(result);
            return result;
        }

        // A pipe: the header's promise is untrusted until the bytes arrive, so memory follows the bytes actually read
        // and a short stream is reported as truncated, not as an allocation of what the header claims.
        var raw = NpyHeaderCodec.ReadGrowing(_stream, Math.Min(Header.DataLength, Array.MaxLength), out long got);
        if (got < Math.Min(Header.DataLength, Array.MaxLength))
        {
            throw Truncated(Header, got);
        }

        if (Header.DataLength > Array.MaxLength)
        {
            throw NpyHeaderCodec.ReadFully(_stream, stackalloc byte[1]) == 0
                ? Truncated(Header, got)
                : new InvalidOperationException($"{Name}: the data ({Header.DataLength} bytes) is too large for one array; use ReadElements to stream it");
        }

        if (!Header.IsLittleEndian)
        {
            NpyLayout.SwapInPlace(raw, Header.SwapUnit);
        }

        if (Header.FortranOrder && Header.Rank > 1)
        {
            var c = GC.AllocateUninitializedArray<byte>(raw.Length);
            NpyLayout.Transpose(raw, c, Header.ShapeNoCopy, Header.ElementSize, sourceIsFortran: true);
            raw = c;
        }

        _elementsRead = Header.ElementCount;
        return raw;
    }

    /// <summary>
    /// Reads the whole array into <paramref name="destination"/>, whose length must be exactly
    /// <see cref="NpyHeader.DataLength"/>, little-endian, in C order. Must be called before any <see cref="ReadElements"/>
    /// call. Fortran-order data needs a temporary buffer of the same size for the transposition.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">Elements were already read.</exception>
    /// <exception cref="NpyFormatException">The file ends before the data does.</exception>
    public void ReadAll(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != Header.DataLength)
        {
            throw new ArgumentException($"{Name}: destination has {destination.Length} bytes, the data has {Header.DataLength}", nameof(destination));
        }

        if (_elementsRead != 0)
        {
            throw new InvalidOperationException($"{Name}: ReadAll must be called before any ReadElements call");
        }

        if (!Header.FortranOrder || Header.Rank <= 1)
        {
            ReadRaw(destination);
        }
        else
        {
            var raw = GC.AllocateUninitializedArray<byte>(destination.Length);
            ReadRaw(raw);
            NpyLayout.Transpose(raw, destination, Header.ShapeNoCopy, Header.ElementSize, sourceIsFortran: true);
        }

        _elementsRead = Header.ElementCount;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next elements (C order), or throws when the data ends first.
    /// </summary>
    /// <exception cref="NpyFormatException">Fewer elements remain than <paramref name="destination"/> holds.</exception>
    public void ReadElementsExactly(Span<byte> destination)
    {
        long wanted = destination.Length / Math.Max(1, Header.ElementSize);
        if (wanted > ElementsRemaining)
        {
            throw new NpyFormatException(Name, $"asked for {wanted} more elements at element {ElementsRead}, but only {ElementsRemaining} remain");
        }

        ReadElements(destination);
    }

    /// <summary>
    /// Reads the next elements in C order into <paramref name="destination"/> as little-endian, for streaming files
    /// larger than memory. Reads <c>min(destination.Length / ElementSize, ElementsRemaining)</c> elements and returns that
    /// count (0 at the end). Fortran-order files of rank 2 or more cannot be streamed: read them with
    /// <see cref="ReadAll()"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not a multiple of the element size.</exception>
    /// <exception cref="NotSupportedException">The file is in Fortran order with rank 2 or more.</exception>
    /// <exception cref="NpyFormatException">The file ends before the data does.</exception>
    public long ReadElements(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Header.FortranOrder && Header.Rank > 1)
        {
            throw new NotSupportedException($"{Name}: Fortran-order files cannot be streamed in C order; use ReadAll or ReadStoredElements");
        }

        return ReadStoredElements(destination);
    }

    /// <summary>
    /// Reads the next elements in the file's own order (Fortran order for a Fortran-order file: consecutive slabs along
    /// its last axis, each in Fortran order) as little-endian, and returns the count read (0 at the end). For streaming
    /// Fortran-order files in bounded memory (transpose each slab to C order).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not a multiple of the element size.</exception>
    /// <exception cref="NpyFormatException">The file ends before the data does.</exception>
    public long ReadStoredElements(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var es = Header.ElementSize;
        if (destination.Length % es != 0)
        {
            throw new ArgumentException($"{Name}: destination length {destination.Length} is not a multiple of the element size {es}", nameof(destination));
        }

        var count = Math.Min(destination.Length / es, ElementsRemaining);
        if (count == 0)
        {
            return 0;
        }

        ReadRaw(destination[..(int)(count * es)]);
        _elementsRead += count;
        return count;
    }

    /// <summary>Disposes the underlying stream unless it was opened with <c>leaveOpen</c>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void ReadRaw(Span<byte> destination)
    {
        var got = NpyHeaderCodec.ReadFully(_stream, destination);
        if (got < destination.Length)
        {
            throw Truncated(Header, _elementsRead * Header.ElementSize + got);
        }

        if (!Header.IsLittleEndian)
        {
            NpyLayout.SwapInPlace(destination, Header.SwapUnit);
        }
    }

    private NpyFormatException Truncated(NpyHeader header, long available) =>
        new(Name, $"truncated data: the header promises {header.DataLength} bytes of data ({header.ElementCount} × '{header.Descr}', shape {NpyShape.Format(header.ShapeNoCopy)}) at offset {header.DataOffset}, but only {available} are present");

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }
}
