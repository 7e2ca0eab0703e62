using System.Globalization;
using System.Numerics;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Cli.Commands;

/// <summary>Whether the first non-blank line of a CSV file is a header.</summary>
internal enum CsvHeader
{
    /// <summary>A header when every non-empty field of the first row is text (not a number); data when every one is a number; an error when it mixes both.</summary>
    Auto,

    /// <summary>The first row is a header (<c>--header</c>), whatever it holds.</summary>
    Yes,

    /// <summary>The first row is data (<c>--no-header</c>).</summary>
    No,
}

/// <summary>
/// Reads a delimited text file of numbers as a 2-D table of <typeparamref name="T"/>, streaming: <see cref="Scan"/>
/// validates every value and counts rows (a first pass), <see cref="ReadBlocks"/> then yields blocks of whole rows.
/// A header is recognised by <see cref="CsvHeader"/>; blank lines are ignored; fields may be quoted; a line is held
/// whole while it is parsed, so lines longer than <c>maxLineChars</c> are refused. Errors name the line and column
/// (both 1-based).
/// </summary>
internal sealed class CsvNumbers<T>
    where T : unmanaged, INumber<T>
{
    private static readonly bool IsFloat = typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);
    private readonly string _path;
    private readonly char _delimiter;
    private readonly string _typeName;
    private readonly List<Range> _fields = [];
    private readonly CsvHeader _header;
    private readonly int _maxLineChars;
    private readonly long _budget;

    public CsvNumbers(string path, char delimiter, string typeName, CsvHeader header, long budget)
    {
        _path = path;
        _delimiter = delimiter;
        _typeName = typeName;
        _header = header;
        _budget = budget;
        _maxLineChars = MaxLineChars(budget);
    }

    /// <summary>The longest line <paramref name="budget"/> allows: a line and its parsed fields take about 8 bytes a character.</summary>
    public static int MaxLineChars(long budget) => (int)Math.Clamp(budget / BytesPerLineChar, 1, Array.MaxLength / 2);

    /// <summary>Bytes a line takes while it is parsed, per character (UTF-16 text, field ranges, buffers).</summary>
    public const int BytesPerLineChar = 8;

    /// <summary>Characters of the longest line (after <see cref="Scan"/>).</summary>
    public int LongestLine { get; private set; }

    /// <summary>Data rows (after <see cref="Scan"/>).</summary>
    public long Rows { get; private set; }

    /// <summary>Values per row (after <see cref="Scan"/>).</summary>
    public int Columns { get; private set; }

    /// <summary>The header's fields, or null when the first line is data (after <see cref="Scan"/>).</summary>
    public IReadOnlyList<string>? Header { get; private set; }

    /// <summary>The first pass: detects a header, checks every row has the same number of valid values, counts rows.</summary>
    /// <exception cref="InvalidDataException">A bad value, a ragged row, or no data.</exception>
    public void Scan(CliProgress progress, CancellationToken cancellationToken)
    {
        using var stream = File.OpenRead(_path);
        using var text = new StreamReader(stream);
        var reader = new LineReader(text, _maxLineChars, TooLong);
        long length = stream.Length;
        progress.Phase($"scanning {Path.GetFileName(_path)}", length, bytes: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long lineNumber = 0;
        int headerLine = 0;
        T[] row = [];
        while (reader.ReadLine(lineNumber + 1) is { } line)
        {
            lineNumber++;
            LongestLine = Math.Max(LongestLine, line.Length);
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Split(line);
            if (headerLine == 0 && Header is null && Rows == 0 && IsHeader(line, lineNumber))
            {
                Header = _fields.Select(f => Unquote(line.AsSpan(f)).ToString()).ToArray();
                headerLine = (int)lineNumber;
                continue;
            }

            if (Rows == 0)
            {
                Columns = _fields.Count;
                row = new T[Columns];
                if (Header is not null && Header.Count != Columns)
                {
                    throw new InvalidDataException($"'{_path}' line {headerLine}: the header has {Header.Count} columns but line {lineNumber} has {Columns} values");
                }
            }

            ParseRow(line, lineNumber, row);
            Rows++;
            if ((Rows & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress.Report(new ComputeProgress(stream.Position, length, stream.Position, 0, clock.Elapsed));
            }
        }

        if (Rows == 0)
        {
            throw new InvalidDataException($"'{_path}' has no rows of numbers");
        }
    }

    /// <summary>
    /// The second pass: fills <paramref name="buffer"/> with up to <paramref name="rowsPerBlock"/> rows at a time and
    /// yields how many rows it holds.
    /// </summary>
    public IEnumerable<int> ReadBlocks(T[] buffer, int rowsPerBlock, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(_path);
        var reader = new LineReader(text, _maxLineChars, TooLong);
        long lineNumber = 0;
        long rows = 0;
        int inBlock = 0;
        bool headerSkipped = Header is null;
        while (reader.ReadLine(lineNumber + 1) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!headerSkipped)
            {
                headerSkipped = true;
                continue;
            }

            if (rows == Rows)
            {
                throw new IOException($"'{_path}' changed while it was being imported (more rows than on the first pass)");
            }

            Split(line);
            ParseRow(line, lineNumber, buffer.AsSpan(inBlock * Columns, Columns));
            rows++;
            if (++inBlock == rowsPerBlock)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return inBlock;
                inBlock = 0;
            }
        }

        if (inBlock > 0)
        {
            yield return inBlock;
        }

        if (rows != Rows)
        {
            throw new IOException($"'{_path}' changed while it was being imported (fewer rows than on the first pass)");
        }
    }

    // --header: the first row is a header; --no-header: data. Otherwise a header is a first row whose non-empty fields
    // are all text (not numbers, nan or inf); a row of numbers is data; a row mixing both (a typo such as 3.O among
    // numbers, or numeric column names) is refused, naming the line and the first text field, rather than guessed.
    private bool IsHeader(string line, long lineNumber)
    {
        if (_header != CsvHeader.Auto)
        {
            return _header == CsvHeader.Yes;
        }

        int numbers = 0;
        int firstText = -1;
        for (int c = 0; c < _fields.Count; c++)
        {
            var field = Unquote(line.AsSpan(_fields[c]));
            if (field.Length == 0)
            {
                continue;
            }

            if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsSpecial(field))
            {
                numbers++;
            }
            else if (firstText < 0)
            {
                firstText = c;
            }
        }

        if (firstText < 0)
        {
            return false;
        }

        if (numbers == 0)
        {
            return true;
        }

        string text = Unquote(line.AsSpan(_fields[firstText])).ToString();
        throw new InvalidDataException(
            $"'{_path}' line {lineNumber}, column {firstText + 1}: '{text}' is not a number, but {numbers} other field(s) of the first row are: " +
            "the row is neither a header (all names) nor data (all numbers); fix the value, or pass --header to take the row as column names");
    }

    private Exception TooLong(long lineNumber, long chars) => new ChunkCompute.Scheduler.MemoryPlanRefusedException(
        $"import of '{_path}'",
        chars * BytesPerLineChar,
        _budget,
        $"Line {lineNumber} of '{_path}' is {chars} characters, longer than the {_maxLineChars} that --memory {Storage.ByteSize.Format(_budget)} allows " +
        $"(a line is held whole while it is parsed, about {BytesPerLineChar} bytes a character): raise --memory to at least {Storage.ByteSize.Format(CliMemory.RoundUp(chars * BytesPerLineChar))}.");

    private void ParseRow(string line, long lineNumber, Span<T> destination)
    {
        if (_fields.Count != destination.Length)
        {
            throw new InvalidDataException($"'{_path}' line {lineNumber}: ragged row: {_fields.Count} values where the first row has {destination.Length}");
        }

        for (int c = 0; c < _fields.Count; c++)
        {
            var text = Unquote(line.AsSpan(_fields[c]));
            if (!TryParse(text, out destination[c]))
            {
                string why = text.Length == 0 ? "an empty value"
                    : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? $"'{text}', not a valid {_typeName} (not an integer, or out of range)"
                    : $"'{text}', not a number";
                throw new InvalidDataException($"'{_path}' line {lineNumber}, column {c + 1}: {why}");
            }
        }
    }

    private static bool TryParse(ReadOnlySpan<char> s, out T value)
    {
        if (!IsFloat)
        {
            return T.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        }

        if (T.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        if (IsSpecial(s))
        {
            value = T.CreateChecked(ParseSpecial(s));
            return true;
        }

        return false;
    }

    private static bool IsSpecial(ReadOnlySpan<char> s) => !double.IsFinite(ParseSpecial(s)) || s.Equals("nan", StringComparison.OrdinalIgnoreCase);

    // NumPy's spellings that .NET does not parse: inf, +inf, -inf, nan (any case).
    private static double ParseSpecial(ReadOnlySpan<char> s)
    {
        bool negative = s.Length > 0 && s[0] == '-';
        var body = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? s[1..] : s;
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return body.Equals("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : 0;
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        return field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Trim() : field;
    }

    // Field ranges of a line; a delimiter inside double quotes does not split.
    private void Split(string line)
    {
        _fields.Clear();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == _delimiter && !quoted)
            {
                _fields.Add(start..i);
                start = i + 1;
            }
        }

        _fields.Add(start..line.Length);
    }
}

/// <summary>
/// Reads lines ending in \n or \r\n (a lone \r is not a line end) without ever holding more than
/// <c>maxChars</c> characters of one line: a longer line is measured to its end without being kept, then refused.
/// </summary>
internal sealed class LineReader(TextReader reader, int maxChars, Func<long, long, Exception> tooLong)
{
    private char[] _buffer = new char[Math.Min(maxChars + 2, 4096)];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The next line without its terminator, or null at the end; <paramref name="lineNumber"/> names it in errors.</summary>
    public string? ReadLine(long lineNumber)
    {
        int scanFrom = _start;
        while (true)
        {
            int nl = _buffer.AsSpan(scanFrom, _end - scanFrom).IndexOf('\n');
            if (nl >= 0)
            {
                nl += scanFrom;
                int length = nl - _start;
                if (length > 0 && _buffer[nl - 1] == '\r')
                {
                    length--;
                }

                if (length > maxChars)
                {
                    throw tooLong(lineNumber, length);
                }

                string line = new(_buffer, _start, length);
                _start = nl + 1;
                return line;
            }

            if (_end - _start > maxChars + 1)
            {
                throw tooLong(lineNumber, MeasureRest(_end - _start));
            }

            if (_eof)
            {
                if (_end == _start)
                {
                    return null;
                }

                int length = _end - _start;
                if (_buffer[_end - 1] == '\r')
                {
                    length--;
                }

                if (length > maxChars)
                {
                    throw tooLong(lineNumber, length);
                }

                string last = new(_buffer, _start, length);
                _start = _end;
                return last;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, maxChars + 2L));
            }

            scanFrom = _end;
            int read = reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }

    // Counts the rest of an over-long line (to report its length) without keeping it.
    private long MeasureRest(long counted)
    {
        var scratch = _buffer;
        while (true)
        {
            int read = reader.Read(scratch, 0, scratch.Length);
            if (read == 0)
            {
                return counted;
            }

            int nl = scratch.AsSpan(0, read).IndexOf('\n');
            if (nl >= 0)
            {
                return counted + nl - (nl > 0 && scratch[nl - 1] == '\r' ? 1 : 0);
            }

            counted += read;
        }
    }
}
