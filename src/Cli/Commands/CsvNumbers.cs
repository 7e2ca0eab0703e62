using System.Globalization;
using System.Numerics;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// Reads a delimited text file of numbers as a 2-D table of <typeparamref name="T"/>, streaming: <see cref="Scan"/>
/// validates every value and counts rows (a first pass), <see cref="ReadBlocks"/> then yields blocks of whole rows.
/// An optional header (a first line with a non-numeric field) is skipped; blank lines are ignored; fields may be
/// quoted. Errors name the line and column (both 1-based).
/// </summary>
internal sealed class CsvNumbers<T>
    where T : unmanaged, INumber<T>
{
    private static readonly bool IsFloat = typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);
    private readonly string _path;
    private readonly char _delimiter;
    private readonly string _typeName;
    private readonly List<Range> _fields = [];

    public CsvNumbers(string path, char delimiter, string typeName)
    {
        _path = path;
        _delimiter = delimiter;
        _typeName = typeName;
    }

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
        using var reader = new StreamReader(stream);
        long length = stream.Length;
        progress.Phase($"scanning {Path.GetFileName(_path)}", length, bytes: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long lineNumber = 0;
        int headerLine = 0;
        T[] row = [];
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Split(line);
            if (headerLine == 0 && Header is null && Rows == 0 && IsHeader(line))
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
        using var reader = new StreamReader(_path);
        long lineNumber = 0;
        long rows = 0;
        int inBlock = 0;
        bool headerSkipped = Header is null;
        while (reader.ReadLine() is { } line)
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

    // A header is a first line with a non-empty field that is not a number.
    private bool IsHeader(string line) =>
        _fields.Any(f => Unquote(line.AsSpan(f)) is { Length: > 0 } s && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !IsSpecial(s));

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
