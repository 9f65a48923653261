using PyMemTrace.Parser.Grammar;
using PyMemTrace.Parser.Model;

namespace PyMemTrace.Parser;

/// <summary>
/// Joins a call line printed without its return (<c>... -> f _PyMem_RawMalloc(72)</c>) to the return printed on its
/// own line a few lines later (<c> _PyMem_RawMalloc returns 0x7f...</c>), when another process's output split them.
/// A call that finds no return is unparsed; a return that finds no call is an orphan, kept as a note.
/// </summary>
internal sealed class SplitCallJoiner(ITraceSink sink)
{
    const int Window = 8;
    (long Line, string Text)? _call;

    public void Hold(long line, string text)
    {
        Finish();
        _call = (line, text);
    }

    public void Return(long line, string text, string api)
    {
        if (_call is { } call && EventLineGrammar.TryParse(call.Text.TrimEnd() + " " + text.Trim()) is { } ev && ev.Call.Api == api)
        {
            _call = null;
            sink.OnEvent(call.Line, ev);
            sink.OnNote(line, NoteKind.SplitReturn, text);
        }
        else sink.OnNote(line, NoteKind.OrphanReturn, text);
    }

    /// <summary>After each line inside BEGIN..END: a call held too long gets no return.</summary>
    public void Advance(long line)
    {
        if (_call is { } call && line - call.Line >= Window) Finish();
    }

    public void Finish()
    {
        if (_call is { } call) sink.OnUnparsed(call.Line, call.Text);
        _call = null;
    }
}
