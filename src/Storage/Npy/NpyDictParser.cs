using System.Globalization;
using System.Text;

namespace ChunkCompute.Storage.Npy;

/// <summary>
/// A minimal parser for the Python dict literal in a .npy header. Values are strings (<see cref="string"/>),
/// <c>True</c>/<c>False</c> (<see cref="bool"/>), tuples of non-negative integers (<see cref="List{T}"/> of long, Python 2
/// <c>L</c> suffixes allowed), or lists, kept as <see cref="NpyRawValue"/>.
/// </summary>
internal sealed class NpyDictParser(string text, string name)
{
    private readonly string _text = text;
    private readonly string _name = name;
    private int _pos;

    public NpyFormatException Error(string what)
    {
        var shown = _text.TrimEnd();
        if (shown.Length > 200)
        {
            shown = shown[..200] + "…";
        }

        return new NpyFormatException(_name, $"malformed header dict: {what} in {shown}");
    }

    public Dictionary<string, object> ParseDict()
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        SkipSpace();
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (Peek() == '}')
            {
                _pos++;
                break;
            }

            var key = ParseString();
            SkipSpace();
            Expect(':');
            SkipSpace();
            var value = ParseValue();
            if (!result.TryAdd(key, value))
            {
                throw Error($"duplicate key '{key}'");
            }

            SkipSpace();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
            }
            else if (c != '}')
            {
                throw Error($"expected ',' or '}}' at position {_pos}");
            }
        }

        SkipSpace();
        if (_pos != _text.Length)
        {
            throw Error($"unexpected text after the dict at position {_pos}");
        }

        return result;
    }

    private object ParseValue()
    {
        var c = Peek();
        if (c is '\'' or '"')
        {
            return ParseString();
        }

        if (c == '(')
        {
            return ParseTuple();
        }

        if (c == '[')
        {
            return ParseRaw();
        }

        if (Match("True"))
        {
            return true;
        }

        if (Match("False"))
        {
            return false;
        }

        throw Error($"unexpected value at position {_pos}");
    }

    private List<long> ParseTuple()
    {
        Expect('(');
        var items = new List<long>();
        var sawComma = false;
        while (true)
        {
            SkipSpace();
            if (Peek() == ')')
            {
                _pos++;
                break;
            }

            var start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            if (_pos == start)
            {
                throw Error($"expected a non-negative integer in the shape at position {_pos}");
            }

            if (!long.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                throw Error($"dimension '{_text[start.._pos]}' is too large");
            }

            items.Add(v);
            if (Peek() is 'L' or 'l')
            {
                _pos++;
            }

            SkipSpace();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
                sawComma = true;
            }
            else if (c != ')')
            {
                throw Error($"expected ',' or ')' in the shape at position {_pos}");
            }
        }

        if (items.Count == 1 && !sawComma)
        {
            throw Error("a one-element shape needs a trailing comma, e.g. (3,)");
        }

        return items;
    }

    private NpyRawValue ParseRaw()
    {
        var start = _pos;
        var depth = 0;
        char? quote = null;
        for (; _pos < _text.Length; _pos++)
        {
            var c = _text[_pos];
            if (quote is not null)
            {
                if (c == '\\')
                {
                    _pos++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c is '[' or '(')
            {
                depth++;
            }
            else if (c is ']' or ')')
            {
                depth--;
                if (depth == 0)
                {
                    _pos++;
                    return new NpyRawValue(_text[start.._pos]);
                }
            }
        }

        throw Error("unterminated list");
    }

    private string ParseString()
    {
        var quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Error($"expected a quoted string at position {_pos}");
        }

        _pos++;
        var sb = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos++];
            if (c == quote)
            {
                return sb.ToString();
            }

            if (c == '\\' && _pos < _text.Length)
            {
                c = _text[_pos++];
            }

            sb.Append(c);
        }

        throw Error("unterminated string");
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}' at position {_pos}");
        }

        _pos++;
    }

    private bool Match(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
        {
            return false;
        }

        var end = _pos + word.Length;
        if (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_'))
        {
            return false;
        }

        _pos = end;
        return true;
    }
}
