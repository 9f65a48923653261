using System.Globalization;
using System.Text;
using System.Xml;

namespace PyMemTrace.Reports.Rendering;

/// <summary>
/// An evaluated check (limit, value, allowed, ok, detail) as JUnit XML, the report every CI system shows: one testsuite
/// for the trace, one testcase per limit, a failure with the numbers for each broken one. Text from the log that XML
/// cannot hold (control characters) is written as \xNN.
/// </summary>
public static class JUnitWriter
{
    public static void Write(ReportTable check, string suiteName, TextWriter output)
    {
        int limit = check.IndexOf("limit"), value = check.IndexOf("value"), allowed = check.IndexOf("allowed"), ok = check.IndexOf("ok"), detail = check.IndexOf("detail");
        int failures = check.Rows.Count(r => r[ok] is false);
        string count = check.Rows.Count.ToString(CultureInfo.InvariantCulture), failed = failures.ToString(CultureInfo.InvariantCulture);
        using var xml = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        Attributes(xml, ("name", "pmanalyze check"), ("tests", count), ("failures", failed), ("errors", "0"), ("time", "0"));
        xml.WriteStartElement("testsuite");
        Attributes(xml, ("name", Clean(suiteName)), ("tests", count), ("failures", failed), ("errors", "0"), ("skipped", "0"), ("time", "0"),
            ("timestamp", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)));
        foreach (var row in check.Rows)
        {
            xml.WriteStartElement("testcase");
            Attributes(xml, ("name", (string)row[limit]!), ("classname", "pmanalyze.check"), ("time", "0"));
            string numbers = $"value {Number(row[value])}, allowed {Number(row[allowed])}";
            if (row[ok] is false)
            {
                xml.WriteStartElement("failure");
                Attributes(xml, ("message", Clean($"{row[limit]}: {numbers}")), ("type", "LimitBroken"));
                xml.WriteString(Clean((string?)row[detail] ?? ""));
                xml.WriteEndElement();
            }
            else
                xml.WriteElementString("system-out", Clean($"{numbers}: {row[detail]}"));
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    static string Number(object? v) => v is long n ? n.ToString(CultureInfo.InvariantCulture) : "not measured";

    static void Attributes(XmlWriter xml, params (string Name, string Value)[] attributes)
    {
        foreach (var (name, value) in attributes) xml.WriteAttributeString(name, value);
    }

    /// <summary>Characters XML 1.0 cannot hold (most control characters, lone surrogates) as \xNN.</summary>
    static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) sb.Append(c).Append(s[++i]);
            else sb.Append(XmlConvert.IsXmlChar(c) ? c : $"\\x{(int)c:x2}");
        }
        return sb.ToString();
    }
}
