using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Encodings.Web;

namespace PyMemTrace.Store;

/// <summary>
/// An aggregation's key columns as stored in agg_tables.key: a JSON array of strings, readable (a backtick or '&lt;'
/// stays as it is). Written directly, without the serializer's set-up cost in every import of a log with aggregations.
/// </summary>
internal static class AggregationKeyJson
{
    static readonly JsonWriterOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(IReadOnlyList<string> key)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(json, Readable))
        {
            w.WriteStartArray();
            foreach (var column in key) w.WriteStringValue(column);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(json.WrittenSpan);
    }
}
