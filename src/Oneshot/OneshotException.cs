namespace Oneshot;

/// <summary>
/// A problem the user can fix (a bad file, option or missing package). The message says what went
/// wrong, names the file or option, and what to do; the CLI prints it without a stack trace.
/// </summary>
public class OneshotException : Exception
{
    public OneshotException(string message) : base(message) { }
    public OneshotException(string message, Exception inner) : base(message, inner) { }
}
