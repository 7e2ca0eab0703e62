using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Npy;

/// <summary>One-call helpers to save and load whole NumPy <c>.npy</c> files.</summary>
public static class Npy
{
    /// <summary>
    /// Writes a C-order, little-endian <c>.npy</c> file (format 1.0) at <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The file to create (overwritten if it exists).</param>
    /// <param name="descr">A supported little-endian descr, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>.</param>
    /// <param name="shape">The array shape; empty for a 0-d array.</param>
    /// <param name="cOrderLittleEndian">All elements, little-endian, in C order.</param>
    /// <exception cref="ArgumentException">The descr is unsupported or the data length does not match the shape.</exception>
    public static void Save(string path, string descr, long[] shape, ReadOnlySpan<byte> cOrderLittleEndian)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        if (!NpyDataType.TryParse(descr, out var type, out var reason))
        {
            throw new ArgumentException($"{path}: {reason}", nameof(descr));
        }

        var count = NpyShape.ElementCount(shape, type.ElementSize, nameof(shape));
        if (cOrderLittleEndian.Length != count * type.ElementSize)
        {
            throw new ArgumentException(
                $"{path}: {cOrderLittleEndian.Length} bytes given, shape {NpyShape.Format(shape)} of '{descr}' needs {count * type.ElementSize} ({count} elements)",
                nameof(cOrderLittleEndian));
        }

        using var writer = new NpyWriter(path, descr, shape);
        writer.WriteAll(cOrderLittleEndian);
    }

    /// <summary>
    /// Writes <paramref name="data"/> (C order) as a little-endian <c>.npy</c> file; the descr follows from
    /// <typeparamref name="T"/> (<c>bool</c> → <c>|b1</c>, <c>int</c> → <c>&lt;i4</c>, <c>Half</c> → <c>&lt;f2</c>, …).
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no NumPy dtype, or the length does not match the shape.</exception>
    public static void Save<T>(string path, ReadOnlySpan<T> data, long[] shape)
        where T : unmanaged
    {
        var descr = NpyDataType.DescrFor<T>()
            ?? throw new ArgumentException($"{path}: type {typeof(T).Name} has no supported NumPy dtype", nameof(T));
        Save(path, descr, shape, MemoryMarshal.AsBytes(data));
    }

    /// <summary>
    /// Reads a whole <c>.npy</c> file: its header and all elements little-endian in C order.
    /// </summary>
    /// <exception cref="NpyFormatException">The file is not a supported, complete .npy file.</exception>
    public static (NpyHeader Header, byte[] Data) Load(string path)
    {
        using var reader = new NpyReader(path);
        return (reader.Header, reader.ReadAll());
    }

    /// <summary>
    /// Reads a whole <c>.npy</c> file whose dtype matches <typeparamref name="T"/> (in either byte order), returning the
    /// elements in C order. Booleans are normalized to true/false.
    /// </summary>
    /// <exception cref="NpyFormatException">The file is malformed, or its dtype is not the one for <typeparamref name="T"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no NumPy dtype.</exception>
    public static T[] Load<T>(string path)
        where T : unmanaged
    {
        return Load<T>(path, out _);
    }

    /// <summary>
    /// Like <see cref="Load{T}(string)"/>, also returning the shape.
    /// </summary>
    /// <exception cref="NpyFormatException">The file is malformed, or its dtype is not the one for <typeparamref name="T"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no NumPy dtype.</exception>
    public static T[] Load<T>(string path, out long[] shape)
        where T : unmanaged
    {
        var expected = NpyDataType.DescrFor<T>()
            ?? throw new ArgumentException($"{path}: type {typeof(T).Name} has no supported NumPy dtype", nameof(T));
        using var reader = new NpyReader(path);
        var header = reader.Header;
        if (header.NormalizedDescr != expected)
        {
            throw new NpyFormatException(path, $"dtype mismatch: expected '{expected}' for {typeof(T).Name}, found '{header.Descr}'");
        }

        if (header.ElementCount > Array.MaxLength)
        {
            throw new InvalidOperationException($"{path}: {header.ElementCount} elements are too many for one array; stream with NpyReader.ReadElements");
        }

        var result = new T[header.ElementCount];
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        reader.ReadAll(bytes);
        if (typeof(T) == typeof(bool))
        {
            foreach (ref var b in bytes)
            {
                b = b != 0 ? (byte)1 : (byte)0;
            }
        }

        shape = header.Shape;
        return result;
    }
}
