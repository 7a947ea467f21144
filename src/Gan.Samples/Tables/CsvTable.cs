using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Gan.Samples.Tables;

/// <summary>
/// A CSV file with a header row as an <see cref="IDataView"/>, its column types read from the values: a column whose values
/// are all integers (in Int32's range) is Int32, one whose values are all numbers is Single (an empty value is then NaN, a
/// missing value), anything else is text (empty text is missing). ML.NET's <c>TextLoader</c> reads the file with those types.
/// </summary>
internal static class CsvTable
{
    /// <summary>The view and the type chosen per column, for messages.</summary>
    public static (IDataView Data, IReadOnlyList<(string Name, DataKind Kind)> Columns) Load(MLContext ml, string path, char separator)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--csv '{path}' does not exist.", path);
        }

        string[] header;
        var integers = new List<bool>();
        var numbers = new List<bool>();
        var missing = new List<bool>();
        int rows = 0;
        using (var reader = new StreamReader(path))
        {
            string? first = reader.ReadLine();
            if (string.IsNullOrWhiteSpace(first))
            {
                throw new InvalidDataException($"--csv '{path}' is empty; expected a header row of column names, then rows.");
            }

            header = [.. Split(first, separator).Select(h => h.Trim())];
            if (header.Distinct(StringComparer.Ordinal).Count() != header.Length || header.Any(string.IsNullOrEmpty))
            {
                throw new InvalidDataException($"--csv '{path}': the header names each column once, none empty; got '{first}'.");
            }

            integers.AddRange(header.Select(_ => true));
            numbers.AddRange(header.Select(_ => true));
            missing.AddRange(header.Select(_ => false));
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                rows++;
                string[] values = Split(line, separator);
                if (values.Length != header.Length)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"--csv '{path}', data row {rows}: {values.Length} values where the header names {header.Length} columns (separator '{separator}'; see --separator)."));
                }

                for (int c = 0; c < values.Length; c++)
                {
                    string value = values[c].Trim();
                    if (value.Length == 0)
                    {
                        missing[c] = true;
                        continue;
                    }

                    integers[c] &= int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
                    numbers[c] &= float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) && float.IsFinite(x);
                }
            }
        }

        if (rows == 0)
        {
            throw new InvalidDataException($"--csv '{path}' has a header but no rows.");
        }

        var columns = new List<(string, DataKind)>();
        for (int c = 0; c < header.Length; c++)
        {
            columns.Add((header[c], integers[c] && !missing[c] ? DataKind.Int32 : numbers[c] ? DataKind.Single : DataKind.String));
        }

        return (LoadWith(ml, path, separator, columns), columns);
    }

    /// <summary>A CSV file with the same columns as one <see cref="Load"/> read (a test split read as its training split was).</summary>
    public static IDataView LoadWith(MLContext ml, string path, char separator, IReadOnlyList<(string Name, DataKind Kind)> columns)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }

        TextLoader loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns.Select((c, i) => new TextLoader.Column(c.Name, c.Kind, i))],
            HasHeader = true,
            Separators = [separator],
            AllowQuoting = true,
            TrimWhitespace = true,
            MissingRealsAsNaNs = true,
        });
        return loader.Load(path);
    }

    /// <summary>
    /// Writes <paramref name="data"/>'s columns as CSV with a header (numbers in invariant culture, NaN as an empty value, text
    /// quoted when it holds the separator, a quote or a line break), to a temporary file renamed into place when complete.
    /// </summary>
    public static void Save(IDataView data, string path, char separator, CancellationToken cancellationToken)
    {
        DataViewSchema.Column[] columns = [.. data.Schema.Where(c => !c.IsHidden)];
        Func<DataViewRowCursor, Func<string>>[] readers = [.. columns.Select(Reader)];
        string temporary = path + ".tmp";
        try
        {
            using (var writer = new StreamWriter(temporary))
            {
                writer.WriteLine(string.Join(separator, columns.Select(c => Quote(c.Name, separator))));
                using DataViewRowCursor cursor = data.GetRowCursor(columns);
                Func<string>[] values = [.. readers.Select(r => r(cursor))];
                var line = new string[columns.Length];
                while (cursor.MoveNext())
                {
                    if ((cursor.Position & 4095) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    for (int c = 0; c < values.Length; c++)
                    {
                        line[c] = Quote(values[c](), separator);
                    }

                    writer.WriteLine(string.Join(separator, line));
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static Func<DataViewRowCursor, Func<string>> Reader(DataViewSchema.Column column)
    {
        System.Reflection.MethodInfo make = typeof(CsvTable).GetMethod(nameof(MakeReader), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType);
        return cursor => (Func<string>)make.Invoke(null, [cursor, column])!;
    }

    private static Func<string> MakeReader<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ValueGetter<T> getter = cursor.GetGetter<T>(column);
        T value = default!;
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        bool named = column.Type is KeyDataViewType && column.Annotations.Schema.GetColumnOrNull("KeyValues") is not null;
        if (named)
        {
            column.GetKeyValues(ref keyValues);
        }

        return () =>
        {
            getter(ref value);
            return value switch
            {
                float f => float.IsNaN(f) ? "" : f.ToString("R", CultureInfo.InvariantCulture),
                double d => double.IsNaN(d) ? "" : d.ToString("R", CultureInfo.InvariantCulture),
                ReadOnlyMemory<char> text => text.ToString(),
                bool b => b ? "true" : "false",
                _ when named => Convert.ToUInt64(value, CultureInfo.InvariantCulture) is ulong key and > 0 ? keyValues.GetItemOrDefault((int)(key - 1)).ToString() : "",
                IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                _ => value?.ToString() ?? "",
            };
        };
    }

    private static string Quote(string value, char separator)
        => value.IndexOfAny([separator, '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>One CSV line's fields: separators inside double quotes do not split, and "" inside quotes is one quote.</summary>
    private static string[] Split(string line, char separator)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    /// <summary>Rows of a view that does not know its count (a CSV file's), by reading it once.</summary>
    public static long CountRows(IDataView data)
    {
        long count = 0;
        using DataViewRowCursor cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }
}
