using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// A stored (encoded) value that a piece decoder reads from: either whole in memory, or readable at any offset (a file,
/// a byte-range-capable store) so that only the parts being decoded are read. Disposing releases what it owns.
/// </summary>
public abstract class EncodedBytes : IDisposable
{
    /// <summary>The value's length in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>The whole value, when it is already in memory (no copy); false when it is read by ranges.</summary>
    public virtual bool TryGetMemory(out ReadOnlyMemory<byte> memory)
    {
        memory = default;
        return false;
    }

    /// <summary>
    /// Reads exactly <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>; false when the
    /// value ends first (a truncated value).
    /// </summary>
    public abstract bool TryReadAt(long offset, Span<byte> destination);

    /// <summary>
    /// The bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of this value, as a
    /// view that does not own it (dispose this value, not the view, to release it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the value.</exception>
    public EncodedBytes Slice(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length - offset);
        return new SliceBytes(this, offset, length);
    }

    /// <summary>A value in pooled memory; takes ownership of <paramref name="owner"/> (whose Memory is the value).</summary>
    public static EncodedBytes FromMemory(IMemoryOwner<byte> owner) => new MemoryBytes(owner ?? throw new ArgumentNullException(nameof(owner)));

    /// <summary>A value in memory that this object does not own.</summary>
    public static EncodedBytes FromMemory(ReadOnlyMemory<byte> memory) => new MemoryBytes(memory);

    /// <summary>A value that is a whole file, read by ranges; takes ownership of <paramref name="file"/>.</summary>
    public static EncodedBytes FromFile(SafeFileHandle file) => new FileBytes(file ?? throw new ArgumentNullException(nameof(file)));

    /// <summary>
    /// A value read from <paramref name="store"/> by byte ranges (each <see cref="TryReadAt"/> is one range read), for
    /// stores that state <see cref="Stores.StoreCapabilities.ByteRanges"/> (object stores); <paramref name="length"/> is
    /// the value's size.
    /// </summary>
    public static EncodedBytes FromStoreRanges(Stores.IStore store, string key, long length) =>
        new StoreRangeBytes(store ?? throw new ArgumentNullException(nameof(store)), key ?? throw new ArgumentNullException(nameof(key)), length);

    /// <summary>Releases what this value owns.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; <paramref name="disposing"/> is false from a finalizer.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private sealed class MemoryBytes : EncodedBytes
    {
        private readonly IMemoryOwner<byte>? _owner;
        private readonly ReadOnlyMemory<byte> _memory;

        public MemoryBytes(IMemoryOwner<byte> owner)
        {
            _owner = owner;
            _memory = owner.Memory;
        }

        public MemoryBytes(ReadOnlyMemory<byte> memory) => _memory = memory;

        public override long Length => _memory.Length;

        public override bool TryGetMemory(out ReadOnlyMemory<byte> memory)
        {
            memory = _memory;
            return true;
        }

        public override bool TryReadAt(long offset, Span<byte> destination)
        {
            if (offset < 0 || offset > _memory.Length || destination.Length > _memory.Length - offset)
            {
                return false;
            }

            _memory.Span.Slice((int)offset, destination.Length).CopyTo(destination);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _owner?.Dispose();
            }
        }
    }

    private sealed class FileBytes : EncodedBytes
    {
        private readonly SafeFileHandle _file;
        private readonly long _length;

        public FileBytes(SafeFileHandle file)
        {
            _file = file;
            try
            {
                _length = RandomAccess.GetLength(file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public override long Length => _length;

        public override bool TryReadAt(long offset, Span<byte> destination)
        {
            int total = 0;
            while (total < destination.Length)
            {
                int n = RandomAccess.Read(_file, destination[total..], offset + total);
                if (n == 0)
                {
                    return false;
                }

                total += n;
            }

            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file.Dispose();
            }
        }
    }

    private sealed class StoreRangeBytes(Stores.IStore store, string key, long length) : EncodedBytes
    {
        public override long Length => length;

        public override bool TryReadAt(long offset, Span<byte> destination)
        {
            if (offset < 0 || offset > length || destination.Length > length - offset)
            {
                return false;
            }

            using var range = store.GetRangePooled(key, Stores.ByteRange.Of(offset, destination.Length));
            if (range is null || range.Memory.Length != destination.Length)
            {
                return false; // the value was replaced or shortened: the caller reports a truncated chunk
            }

            range.Memory.Span.CopyTo(destination);
            return true;
        }
    }

    private sealed class SliceBytes : EncodedBytes
    {
        private readonly EncodedBytes _parent;
        private readonly long _start;
        private readonly long _length;

        public SliceBytes(EncodedBytes parent, long start, long length)
        {
            _parent = parent;
            _start = start;
            _length = length;
        }

        public override long Length => _length;

        public override bool TryGetMemory(out ReadOnlyMemory<byte> memory)
        {
            if (_parent.TryGetMemory(out var whole))
            {
                memory = whole.Slice((int)_start, (int)_length);
                return true;
            }

            memory = default;
            return false;
        }

        public override bool TryReadAt(long offset, Span<byte> destination) =>
            offset >= 0 && offset <= _length && destination.Length <= _length - offset && _parent.TryReadAt(_start + offset, destination);
    }
}
