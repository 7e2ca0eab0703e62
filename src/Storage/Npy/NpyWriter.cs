using System.Buffers;

namespace ChunkCompute.Storage.Npy;

/// <summary>
/// Writes a NumPy <c>.npy</c> file: the header (format 1.0, or 2.0 when the header needs more than 65535 bytes; data
/// aligned to 64 bytes) is written by the constructor, then elements are appended with <see cref="WriteElements"/> (C
/// order) or written in one go with <see cref="WriteAll"/> (required for Fortran order). <see cref="Dispose"/> checks
/// that exactly <see cref="ElementCount"/> elements were written.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    private const int SwapBufferSize = 1 << 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly NpyDataType _type;
    private readonly long[] _shape;
    private long _elementsWritten;
    private bool _disposed;

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/> and writes the header.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="normalizedDescr">A supported little-endian or native descr, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>.</param>
    /// <param name="shape">The array shape; empty for a 0-d array.</param>
    /// <param name="fortranOrder">Store the data in Fortran order (then write it with <see cref="WriteAll"/>).</param>
    /// <param name="bigEndian">Store multi-byte elements big-endian (<c>&gt;f8</c>); input is still little-endian.</param>
    /// <exception cref="ArgumentException">The descr is not supported or the shape is invalid.</exception>
    public NpyWriter(string path, string normalizedDescr, long[] shape, bool fortranOrder = false, bool bigEndian = false)
        : this(Validate(path, normalizedDescr, shape, fortranOrder, bigEndian, out var type), path, type, shape, fortranOrder, bigEndian, leaveOpen: false)
    {
    }

    /// <summary>Writes the header to <paramref name="stream"/> at its current position.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="normalizedDescr">A supported little-endian or native descr, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>.</param>
    /// <param name="shape">The array shape; empty for a 0-d array.</param>
    /// <param name="fortranOrder">Store the data in Fortran order (then write it with <see cref="WriteAll"/>).</param>
    /// <param name="bigEndian">Store multi-byte elements big-endian (<c>&gt;f8</c>); input is still little-endian.</param>
    /// <param name="name">The name used in error messages; defaults to <c>&lt;stream&gt;</c>.</param>
    /// <param name="leaveOpen">When true, <see cref="Dispose"/> does not dispose <paramref name="stream"/>.</param>
    /// <exception cref="ArgumentException">The descr is not supported or the shape is invalid.</exception>
    public NpyWriter(Stream stream, string normalizedDescr, long[] shape, bool fortranOrder = false, bool bigEndian = false, string? name = null, bool leaveOpen = false)
        : this(stream, name ?? "<stream>", ParseDescr(normalizedDescr, name ?? "<stream>"), shape, fortranOrder, bigEndian, leaveOpen)
    {
    }

    private NpyWriter(Stream stream, string name, NpyDataType type, long[] shape, bool fortranOrder, bool bigEndian, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name;
        try
        {
            if (!stream.CanWrite)
            {
                throw new ArgumentException($"{name}: the stream is not writable", nameof(stream));
            }

            _type = type with { IsLittleEndian = !bigEndian || type.SwapUnit == 1 };
            _shape = (long[])shape.Clone();
            ElementCount = NpyShape.ElementCount(_shape, type.ElementSize, nameof(shape));
            FortranOrder = fortranOrder;
            Descr = _type.Format(bigEndian);
            stream.Write(NpyHeaderCodec.Build(Descr, fortranOrder, _shape));
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

    /// <summary>The file path or stream name used in error messages.</summary>
    public string Name { get; }

    /// <summary>The descr written into the header, e.g. <c>&lt;f8</c> or <c>&gt;i4</c>.</summary>
    public string Descr { get; }

    /// <summary>True when the data is stored in Fortran order.</summary>
    public bool FortranOrder { get; }

    /// <summary>The number of elements the file must hold.</summary>
    public long ElementCount { get; }

    /// <summary>The number of elements written so far.</summary>
    public long ElementsWritten => _elementsWritten;

    /// <summary>
    /// Appends little-endian elements in C order (byte-swapped when the file is big-endian). Only for C-order files.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of the element size, or more than
    /// <see cref="ElementCount"/> elements would be written.</exception>
    /// <exception cref="InvalidOperationException">The file is in Fortran order (use <see cref="WriteAll"/>).</exception>
    public void WriteElements(ReadOnlySpan<byte> littleEndianCOrderElements)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (FortranOrder && _shape.Length > 1)
        {
            throw new InvalidOperationException($"{Name}: a Fortran-order file must be written in one call to WriteAll");
        }

        var count = CheckLength(littleEndianCOrderElements.Length, nameof(littleEndianCOrderElements));
        WriteRaw(littleEndianCOrderElements);
        _elementsWritten += count;
    }

    /// <summary>
    /// Writes all <see cref="ElementCount"/> elements at once from little-endian C-order data, transposing to Fortran
    /// order and byte-swapping to big-endian as the header requires. Must be the only write.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not exactly <see cref="ElementCount"/> elements.</exception>
    /// <exception cref="InvalidOperationException">Elements were already written.</exception>
    public void WriteAll(ReadOnlySpan<byte> littleEndianCOrderElements)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_elementsWritten != 0)
        {
            throw new InvalidOperationException($"{Name}: WriteAll must be the only write");
        }

        if (littleEndianCOrderElements.Length != ElementCount * _type.ElementSize)
        {
            throw new ArgumentException($"{Name}: WriteAll got {littleEndianCOrderElements.Length} bytes, shape {NpyShape.Format(_shape)} of '{Descr}' needs {ElementCount * _type.ElementSize}", nameof(littleEndianCOrderElements));
        }

        if (FortranOrder && _shape.Length > 1)
        {
            var transposed = GC.AllocateUninitializedArray<byte>(littleEndianCOrderElements.Length);
            NpyLayout.Transpose(littleEndianCOrderElements, transposed, _shape, _type.ElementSize, sourceIsFortran: false);
            WriteRaw(transposed);
        }
        else
        {
            WriteRaw(littleEndianCOrderElements);
        }

        _elementsWritten = ElementCount;
    }

    /// <summary>
    /// Flushes and closes the file (unless <c>leaveOpen</c>), then checks that exactly <see cref="ElementCount"/>
    /// elements were written.
    /// </summary>
    /// <exception cref="NpyFormatException">Fewer elements were written than the shape requires; the file is incomplete.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _stream.Flush();
        }
        finally
        {
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }

        if (_elementsWritten != ElementCount)
        {
            throw new NpyFormatException(Name, $"incomplete: {_elementsWritten} of {ElementCount} elements written for shape {NpyShape.Format(_shape)}");
        }
    }

    private long CheckLength(int byteLength, string paramName)
    {
        var es = _type.ElementSize;
        if (byteLength % es != 0)
        {
            throw new ArgumentException($"{Name}: {byteLength} bytes is not a multiple of the element size {es}", paramName);
        }

        long count = byteLength / es;
        if (count > ElementCount - _elementsWritten)
        {
            throw new ArgumentException($"{Name}: writing {count} more elements would exceed the {ElementCount} of shape {NpyShape.Format(_shape)} ({_elementsWritten} already written)", paramName);
        }

        return count;
    }

    private void WriteRaw(ReadOnlySpan<byte> data)
    {
        if (_type.IsLittleEndian)
        {
            _stream.Write(data);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(SwapBufferSize);
        try
        {
            while (!data.IsEmpty)
            {
                var n = Math.Min(data.Length, SwapBufferSize);
                NpyLayout.SwapCopy(data[..n], buffer.AsSpan(0, n), _type.SwapUnit);
                _stream.Write(buffer, 0, n);
                data = data[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static NpyDataType ParseDescr(string descr, string name)
    {
        ArgumentNullException.ThrowIfNull(descr);
        if (!NpyDataType.TryParse(descr, out var type, out var reason))
        {
            throw new ArgumentException($"{name}: {reason}", nameof(descr));
        }

        if (descr.StartsWith('>') && type.SwapUnit > 1)
        {
            throw new ArgumentException($"{name}: pass the little-endian descr '{type.NormalizedDescr}' and bigEndian: true instead of '{descr}'", nameof(descr));
        }

        return type;
    }

    private static FileStream Validate(string path, string descr, long[] shape, bool fortranOrder, bool bigEndian, out NpyDataType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        type = ParseDescr(descr, path);
        long elements = NpyShape.ElementCount(shape, type.ElementSize, nameof(shape));
        long header = NpyHeaderCodec.Build(type.Format(bigEndian), fortranOrder, shape).Length;
        return Stores.NewFiles.Create(path, 1 << 16, header + (elements * type.ElementSize));
    }
}
