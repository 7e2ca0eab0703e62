using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

// TEMPORARY placeholder until the codecs branch lands; replaced wholesale by that branch's CodecRegistry.
internal static class CodecRegistry
{
    public static IBytesToBytesCodec CreateBytesToBytesFromV2(JsonObject numcodecsJson, int elementSize)
    {
        _ = elementSize;
        throw new UnsupportedCodecException(numcodecsJson["id"]?.ToString() ?? "?", "not available yet");
    }

    public static IBytesToBytesCodec? TryCreateBytesToBytesFromV3(string name, JsonObject? configuration, int elementSize)
    {
        _ = configuration;
        _ = elementSize;
        return name is "bytes" or "transpose" or "sharding_indexed" ? null : throw new UnsupportedCodecException(name, "not available yet");
    }
}
