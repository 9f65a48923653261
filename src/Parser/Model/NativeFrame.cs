namespace PyMemTrace.Parser.Model;

/// <summary>
/// One frame of a native call stack printed after an event (DTrace's <c>ustack()</c>, <c>pmanalyze record --native</c>):
/// the module (library or executable) and the function, its offset dropped so that the calls a function makes from
/// different places are one frame. A bare address (<c>0x7fff5fc01000</c>: no module known) has module <c>?</c>; a
/// ustack-helper frame (<c>[ file.py:28 (func) ]</c>) has the Python file as its module.
/// </summary>
public readonly record struct NativeFrame(string Module, string Function)
{
    /// <summary>A frame as <see cref="Grammar.AggregationGrammar.Frame"/> reads it (without its indentation).</summary>
    public static NativeFrame Of(string frame)
    {
        if (frame.StartsWith("[ ", StringComparison.Ordinal) && frame.EndsWith(" ]", StringComparison.Ordinal))
        {
            // [ /usr/lib/python2.4/posixpath.py:62 (join) ]
            var inner = frame[2..^2];
            int open = inner.LastIndexOf(" (", StringComparison.Ordinal);
            if (open > 0 && inner.EndsWith(')'))
            {
                var place = inner[..open];
                int colon = place.LastIndexOf(':');
                return new NativeFrame(colon > 0 ? place[..colon] : place, inner[(open + 2)..^1]);
            }
            return new NativeFrame("?", inner);
        }
        int tick = frame.IndexOf('`');
        if (tick < 0) return new NativeFrame("?", frame);
        var function = frame[(tick + 1)..];
        // the offset: +0x1c, or a placeholder such as +{ptr} (DTrace's own test expectations print that)
        int plus = function.LastIndexOf('+');
        if (plus > 0 && (function.AsSpan(plus).StartsWith("+0x") || (function.EndsWith('}') && function.AsSpan(plus).StartsWith("+{"))))
            function = function[..plus];
        return new NativeFrame(frame[..tick], function.Length == 0 ? "?" : function);
    }
}
