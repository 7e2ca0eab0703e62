using Xunit;

namespace ChunkCompute.Tests.Interop;

/// <summary>Class fixture: a Zarr v2 store written once by zarr-python (on first use), with expected .npy files.</summary>
public sealed class PythonWrittenStore : IDisposable
{
    private readonly TempDirectory _dir = new("cc-pywritten");
    private readonly Lazy<string> _manifest;

    public PythonWrittenStore()
    {
        _manifest = new Lazy<string>(() =>
        {
            string output = PythonZarr.Run(PythonScripts.WriteV2, Root, _dir.Path);
            Assert.Contains("WROTE", output, StringComparison.Ordinal);
            return Path.Combine(_dir.Path, "manifest.json");
        });
    }

    public string Root => _dir.Combine("py.zarr");

    /// <summary>The manifest path; runs the Python writer on first access.</summary>
    public string Manifest => _manifest.Value;

    public void Dispose() => _dir.Dispose();
}
