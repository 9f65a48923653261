using System.Text.Encodings.Web;
using System.Text.Json;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// JSON for scripts: an array of objects, or one object for single-row reports such as summary. A cell holding a
/// dictionary is written as a nested object, a list as a nested array.
/// </summary>
public sealed class JsonRenderer : IRenderer
{
    static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Render(ReportTable table, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            if (table.AsObject) WriteRow(json, table, table.Rows.Count > 0 ? table.Rows[0] : new object?[table.Columns.Count]);
            else
            {
                json.WriteStartArray();
                foreach (var row in table.Rows) WriteRow(json, table, row);
                json.WriteEndArray();
            }
        }
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        output.WriteLine();
    }

    /// <summary>One value as compact JSON (for a nested value in a CSV field).</summary>
    public static string Compact(object? value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options with { Indented = false })) WriteValue(json, value);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void WriteRow(Utf8JsonWriter json, ReportTable table, object?[] row)
    {
        json.WriteStartObject();
        for (int i = 0; i < table.Columns.Count; i++)
        {
            json.WritePropertyName(table.Columns[i].Name);
            WriteValue(json, row[i]);
        }
        json.WriteEndObject();
    }

    static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case long l: json.WriteNumberValue(l); break;
            case double d: json.WriteNumberValue(d); break;
            case byte[] bytes: json.WriteBase64StringValue(bytes); break;
            case System.Collections.IDictionary map:
                json.WriteStartObject();
                foreach (System.Collections.DictionaryEntry e in map)
                {
                    json.WritePropertyName(e.Key.ToString()!);
                    WriteValue(json, e.Value);
                }
                json.WriteEndObject();
                break;
            case System.Collections.IEnumerable list and not string:
                json.WriteStartArray();
                foreach (var item in list) WriteValue(json, item);
                json.WriteEndArray();
                break;
            default: json.WriteStringValue(value.ToString()); break;
        }
    }
}
